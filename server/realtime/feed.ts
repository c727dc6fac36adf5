// Commit notices between server instances: "user U's change log reaches cursor C". On
// PostgreSQL they travel by NOTIFY parley_changes (every instance LISTENs); on SQLite they stay
// in the process.
import type { ChangeFeed } from '../domain/effects.ts';
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

/** The feed port that domain code publishes to after commit (domain/effects.ts). */
export function changeFeed(store: Store): ChangeFeed {
  return (notices) => announceChanges(store, notices, 'changes');
}

export function listenForChanges(
  store: Store,
  onNotices: (notices: ChangeNotice[]) => void,
  onResume: () => void
): Promise<() => Promise<void>> {
  return store.listen(CHANGES_CHANNEL, (payload) => onNotices(decodeNotices(payload)), onResume);
}

// Ended sessions between server instances: "close the sockets of these sessions, or of every
// session of these users" (sign-out, sign-out everywhere, removal). Same transport as changes,
// on one listening connection, so a change committed after the sign-out is heard after it.
export const SESSIONS_CHANNEL = 'parley_sessions';

export type EndedSessions = { tokenHashes?: string[]; userIds?: string[] };

/** `s:hash,u:userId…`, split into payloads that fit. */
export function encodeEndedSessions(ended: EndedSessions): string[] {
  const entries = [
    ...(ended.tokenHashes ?? []).map((hash) => `s:${hash}`),
    ...(ended.userIds ?? []).map((id) => `u:${id}`)
  ];
  const payloads: string[] = [];
  let current = '';
  for (const entry of entries) {
    if (current !== '' && current.length + 1 + entry.length > MAX_PAYLOAD_BYTES) {
      payloads.push(current);
      current = '';
    }
    current = current === '' ? entry : `${current},${entry}`;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}

export function decodeEndedSessions(payload: string): Required<EndedSessions> {
  const ended: Required<EndedSessions> = { tokenHashes: [], userIds: [] };
  for (const entry of payload.split(',')) {
    const value = entry.slice(2);
    if (value === '') continue;
    if (entry.startsWith('s:')) ended.tokenHashes.push(value);
    else if (entry.startsWith('u:')) ended.userIds.push(value);
  }
  return ended;
}

/**
 * After the commit that deleted the sessions: every instance closes their sockets. Awaited by
 * the caller before it answers, so that nothing committed after the answer reaches them first;
 * a failure is logged (the heartbeat's session check still closes them).
 */
export async function announceEndedSessions(store: Store, ended: EndedSessions): Promise<void> {
  try {
    for (const payload of encodeEndedSessions(ended)) await store.notify(SESSIONS_CHANNEL, payload);
  } catch (error) {
    console.error('[sessions] could not announce ended sessions', error);
  }
}

export function listenForEndedSessions(
  store: Store,
  onEnded: (ended: Required<EndedSessions>) => void,
  onResume: () => void
): Promise<() => Promise<void>> {
  return store.listen(
    SESSIONS_CHANNEL,
    (payload) => onEnded(decodeEndedSessions(payload)),
    onResume
  );
}
