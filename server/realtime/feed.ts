// Commit notices between server instances: "user U's change log reaches cursor C". On
// PostgreSQL they travel by NOTIFY parley_changes (every instance LISTENs); on SQLite they stay
// in the process.
import type { ChangeNotice } from '../domain/sync/changes.ts';
import type { Store } from '../store/index.ts';

export const CHANGES_CHANNEL = 'parley_changes';

/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD_BYTES = 7500;

/** `user:cursor,user:cursor…`, the highest cursor per user, split into payloads that fit. */
export function encodeNotices(notices: ChangeNotice[]): string[] {
  const highest = new Map<string, number>();
  for (const { userId, cursor } of notices) {
    highest.set(userId, Math.max(cursor, highest.get(userId) ?? 0));
  }
  const payloads: string[] = [];
  let current = '';
  for (const [userId, cursor] of highest) {
    const entry = `${userId}:${cursor}`;
    if (
      current !== '' &&
      Buffer.byteLength(current) + 1 + Buffer.byteLength(entry) > MAX_PAYLOAD_BYTES
    ) {
      payloads.push(current);
      current = '';
    }
    current = current === '' ? entry : `${current},${entry}`;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}

export function decodeNotices(payload: string): ChangeNotice[] {
  const notices: ChangeNotice[] = [];
  for (const entry of payload.split(',')) {
    const at = entry.lastIndexOf(':');
    const cursor = Number(entry.slice(at + 1));
    if (at > 0 && Number.isSafeInteger(cursor))
      notices.push({ userId: entry.slice(0, at), cursor });
  }
  return notices;
}

/** Tells every instance (this one included) after a commit. */
export async function publishChanges(store: Store, notices: ChangeNotice[]): Promise<void> {
  for (const payload of encodeNotices(notices)) await store.notify(CHANGES_CHANNEL, payload);
}

/** After commit: every instance's WebSocket hub hears of the changes; a failure is logged. */
export function announceChanges(store: Store, notices: ChangeNotice[], origin: string): void {
  if (notices.length === 0) return;
  publishChanges(store, notices).catch((error: unknown) =>
    console.error(`[${origin}] could not announce changes`, error)
  );
}

export function listenForChanges(
  store: Store,
  onNotices: (notices: ChangeNotice[]) => void,
  onResume: () => void
): Promise<() => Promise<void>> {
  return store.listen(CHANGES_CHANNEL, (payload) => onNotices(decodeNotices(payload)), onResume);
}
