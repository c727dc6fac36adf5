// What every route can reach: the services built at start-up (server/services.ts wires them)
// and the signed-in person.
import type { Config } from '../config.ts';
import type { EffectSpreader } from '../domain/admin/spread.ts';
import type { ChangeFeed, SessionsEnded } from '../domain/effects.ts';
import type { SignedIn } from '../domain/sessions.ts';
import type { SyncEngine } from '../domain/sync/engine.ts';
import type { Notifier } from '../messaging/notifier.ts';
import type { PushFanout } from '../push/fanout.ts';
import type { Store } from '../store/index.ts';

export type Services = {
  config: Config;
  store: Store;
  notifier: Notifier;
  /** Where domain code's change notices go after commit (realtime/feed.ts). */
  feed: ChangeFeed;
  /** Closes the sockets of ended sessions on every instance; resolves once that is published. */
  endSessions: SessionsEnded;
  /** Push, pull, bootstrap and history, over `store`. */
  sync: SyncEngine;
  secretKey: Buffer;
  /** Injected so that tests can move time (code expiry, rate-limit windows). */
  now: () => Date;
  /**
   * Spreads admin switches to existing chats after commit; `main.ts` starts it so that it also
   * resumes what a crash left.
   */
  spreader: EffectSpreader;
  /** Web Push (server/push/): without it, no push is sent and the push routes answer 404. */
  push?: PushFanout;
};

export type AppEnv = {
  Variables: {
    /** Null when the request carries no valid session cookie. */
    signedIn: SignedIn | null;
    clientIp: string;
  };
};

/** Set by `requireSignedIn`: routes behind it can rely on a session. */
export type SignedInEnv = {
  Variables: AppEnv['Variables'] & { signedIn: SignedIn };
};
