// The device's own copy of what the app has seen, so it opens and works with no network.
import Dexie, { type EntityTable } from 'dexie';
import type { Me } from '$lib/api/types';

/** The signed-in user's profile as last confirmed by the server. Only ever one row. */
export interface CachedProfile {
  key: 'me';
  me: Me;
  /** `Date.now()` when the server last confirmed it. */
  savedAt: number;
}

export class ParleyDB extends Dexie {
  declare profile: EntityTable<CachedProfile, 'key'>;

  constructor() {
    super('parley');
    this.version(1).stores({ profile: 'key' });
  }

  /**
   * Read the cached profile. Works offline (IndexedDB is local). Resolves `undefined` when
   * nobody has signed in on this device, or the browser refuses storage (some private modes).
   */
  async cachedMe(): Promise<CachedProfile | undefined> {
    try {
      return await this.profile.get('me');
    } catch {
      return undefined;
    }
  }

  /**
   * Store the profile the server just sent. Only called with a server answer, never with an
   * edit the server has not accepted, so the cache cannot hold a name the server refused.
   * Offline this is never reached (there is no answer to store). A storage failure is
   * swallowed: the app still works, it just won't open offline next time.
   */
  async saveMe(me: Me): Promise<void> {
    try {
      await this.profile.put({ key: 'me', me, savedAt: Date.now() });
    } catch {
      // Quota or private mode: nothing to do but run without an offline copy.
    }
  }

  /**
   * Forget everything this device knows about the user: on sign-out and when the server says
   * the session is gone (401). Purely local, so it works offline; later versions clear every
   * table here so no chat outlives the session on a shared device.
   */
  async forgetUser(): Promise<void> {
    try {
      await this.transaction('rw', this.tables, () =>
        Promise.all(this.tables.map((t) => t.clear()))
      );
    } catch {
      // Nothing stored, or storage unavailable: nothing to forget.
    }
  }
}

export const db = new ParleyDB();
