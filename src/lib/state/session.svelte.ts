// Who is signed in on this device: the cached profile first, then the server's word.
import { api, ApiError, NetworkError } from '$lib/api/client';
import type { Me, MePatch } from '$lib/api/types';
import { db } from '$lib/db';
import { forgetSubscription } from '$lib/push';
import { locale } from './locale.svelte';

export type SessionStatus = 'loading' | 'signed_in' | 'signed_out';

class Session {
  me = $state<Me | null>(null);
  status = $state<SessionStatus>('loading');
  /** The profile on screen is the device's copy: the server could not be reached to confirm it. */
  unconfirmed = $state(false);

  #started = false;
  #refreshing: Promise<void> | null = null;

  /** Open from the device's copy at once, then ask the server in the background. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    addEventListener('online', () => void this.refresh());

    const cached = await db.cachedMe();
    if (cached) {
      this.#show(cached.me);
      this.unconfirmed = true;
      void this.refresh();
    } else {
      // Nothing on the device: only the server can say whether the cookie is still good.
      await this.refresh();
    }
  }

  /** GET /api/me. 200 → refresh the cache; 401 → forget; no answer → keep what we have. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    try {
      const me = await api.me();
      await this.#confirmed(me);
      if (locale.unsynced) await this.#pushLocale();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        await this.#forget('session');
      } else if (!this.me) {
        // Offline (or the server is down) with nothing cached: the sign-in screen is all we can show.
        this.status = 'signed_out';
      }
      // Otherwise keep showing the cached profile; `online` triggers another try.
    }
  }

  /** After POST /api/auth/verify answered `signed_in`. */
  async signedIn(me: Me): Promise<void> {
    await this.#confirmed(me);
  }

  /** PATCH /api/me; the cache only ever holds what the server accepted. Throws ApiError/NetworkError. */
  async update(patch: MePatch): Promise<Me> {
    try {
      const me = await api.updateMe(patch);
      await this.#confirmed(me);
      return me;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) await this.#forget('session');
      throw error;
    }
  }

  /** Language applies on the device at once; the account follows now, or when back online. */
  async setLocale(choice: Me['locale']): Promise<'saved' | 'saved_locally'> {
    locale.choose(choice, { synced: false });
    if (!this.me) return 'saved_locally';
    try {
      await this.update({ locale: choice });
      locale.markSynced(true);
      return 'saved';
    } catch (error) {
      if (error instanceof NetworkError) return 'saved_locally';
      throw error;
    }
  }

  /**
   * End this session (or all of them) on the server, then forget the user on this device.
   * Refused offline: clearing only the device would leave the session cookie valid, and the
   * next online start would sign the user straight back in. Throws NetworkError then.
   */
  async signOut({ everywhere = false } = {}): Promise<void> {
    try {
      await (everywhere ? api.signOutAll() : api.signOut());
    } catch (error) {
      // 401: already signed out on the server, which is what we wanted.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    // The server deleted this browser's push subscription with the session: the browser too.
    await forgetSubscription().catch(() => undefined);
    await this.#forget('everything');
    locale.reset();
  }

  /** The sync engine was told 401: the session is gone; unsent messages stay for the next sign-in. */
  async expired(): Promise<void> {
    await this.#forget('session');
  }

  async #confirmed(me: Me): Promise<void> {
    this.#show(me);
    this.unconfirmed = false;
    locale.adopt(me.locale);
    await db.saveMe(me);
  }

  async #pushLocale(): Promise<void> {
    try {
      const me = await api.updateMe({ locale: locale.choice });
      locale.markSynced(true);
      await this.#confirmed(me);
    } catch {
      // Still unsynced; the next refresh tries again.
    }
  }

  #show(me: Me): void {
    this.me = me;
    this.status = 'signed_in';
  }

  async #forget(scope: 'everything' | 'session'): Promise<void> {
    this.me = null;
    this.unconfirmed = false;
    this.status = 'signed_out';
    await db.forgetUser(scope);
  }
}

export const session = new Session();
