// The wiring of the server's parts, in one place: the sync engine, the admin spreader and the
// domain's effect ports (domain/effects.ts) over one store and one notifier. main.ts, the
// composition root, calls it; so does the test harness, so that tests run the same wiring.
import type { Config } from './config.ts';
import { EffectSpreader } from './domain/admin/spread.ts';
import { createSyncEngine } from './domain/sync/engine.ts';
import type { Services } from './http/context.ts';
import type { Notifier } from './messaging/notifier.ts';
import type { PushFanout } from './push/fanout.ts';
import { announceEndedSessions, changeFeed } from './realtime/feed.ts';
import type { Store } from './store/index.ts';

export type BaseServices = {
  config: Config;
  store: Store;
  notifier: Notifier;
  secretKey: Buffer;
  now: () => Date;
  /** Web Push (server/push/); none: no push is sent. */
  push?: PushFanout;
};

export function composeServices(base: BaseServices): Services {
  const { config, store, notifier, now } = base;
  // After commit: every instance's WebSocket hub hears of it (NOTIFY on PostgreSQL).
  const feed = changeFeed(store);
  const sync = createSyncEngine({
    store,
    now,
    feed,
    // Invitations and request notices leave through the queue, after commit.
    notifier,
    // Push notifications of stored messages, queued after commit (server/push/fanout.ts).
    onMessages: base.push && ((stored) => base.push?.afterCommit(stored)),
    external: {
      publicUrl: config.publicUrl,
      limits: config.invitationLimits,
      smsCountries: config.smsCountries
    }
  });
  const spreader = new EffectSpreader({ store, now, onChanges: feed });
  const endSessions = (ended: { tokenHashes?: string[]; userIds?: string[] }) =>
    announceEndedSessions(store, ended);
  return { ...base, feed, endSessions, sync, spreader };
}
