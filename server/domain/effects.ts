// Effects after commit. Domain code makes its writes in one transaction and records, on the
// `Effects` it is handed, what must go out once that transaction has committed: the change
// notices devices are told of, and email or SMS. `withEffects` is the one runner: it opens the
// transaction, writes the messages into the durable queue at its end (so that they exist if and
// only if the change does), and only after the commit publishes through the ports that the
// composition root injected (server/services.ts: the realtime feed, the notifier). A transaction
// that fails publishes nothing. No domain module reaches for realtime/ or sends anything itself.
import type { Outgoing } from '../messaging/transports.ts';
import type { Db, Store } from '../store/index.ts';
import type { ChangeNotice } from './sync/changes.ts';

/** Tells every instance's devices that these users' change logs grew (realtime/feed.ts). */
export type ChangeFeed = (notices: ChangeNotice[]) => void;

/** Ends these sessions' (or users') open connections on every instance (realtime/feed.ts). */
export type SessionsEnded = (ended: {
  tokenHashes?: string[];
  userIds?: string[];
}) => Promise<void>;

/** The durable email/SMS queue (messaging/notifier.ts): written in the transaction, woken after. */
export type Outbox = {
  enqueue(tx: Db, ...messages: Outgoing[]): Promise<void>;
  wake(): void;
};

/** Where effects go. Without a port (some unit tests), what would go through it is dropped. */
export type EffectPorts = { store: Store; feed?: ChangeFeed; notifier?: Outbox };

/** What a transaction's work leaves to do once it commits. */
export type Effects = {
  /** Devices of these users hear of their new changes (the notices `recordChanges` returned). */
  announce(notices: ChangeNotice[]): void;
  /** Queued in this transaction, sent after it commits. */
  send(...messages: Outgoing[]): void;
};

/** Runs `work` in one transaction, then publishes what it recorded (see the top of the file). */
export async function withEffects<T>(
  ports: EffectPorts,
  work: (tx: Db, effects: Effects) => Promise<T>
): Promise<T> {
  let notices: ChangeNotice[] = [];
  let queued = 0;
  const result = await ports.store.tx(async (tx) => {
    const announced: ChangeNotice[] = [];
    const outgoing: Outgoing[] = [];
    const value = await work(tx, {
      announce: (more) => announced.push(...more),
      send: (...messages) => outgoing.push(...messages)
    });
    if (ports.notifier && outgoing.length > 0) await ports.notifier.enqueue(tx, ...outgoing);
    notices = announced;
    queued = outgoing.length;
    return value;
  });
  if (notices.length > 0) ports.feed?.(notices);
  if (queued > 0) ports.notifier?.wake();
  return result;
}
