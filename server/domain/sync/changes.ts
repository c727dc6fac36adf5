// The per-user change log: written in the transaction of each change (one row per user who may
// see it, numbered by that user's cursor), read back by pull and by the WebSocket.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Change, ChatState, PullResponse } from '../../../common/protocol.ts';
import { prepared, tables, type Db } from '../../store/index.ts';
import type { ChangeKind, MessageRow } from '../../store/schema.ts';
import {
  chatMemberRows,
  requestViewRows,
  toChatState,
  toMessageState,
  type MemberRow
} from './views.ts';

/** A change for one user, before it has a cursor. */
export type NewChange =
  | { userId: string; kind: 'message'; chatId: string; messageId: string }
  | { userId: string; kind: 'chat'; chatId: string; chat: ChatState }
  /** `readerId`: whose marker moved (the log's owner, or another member's read receipt). */
  | { userId: string; kind: 'read'; chatId: string; seq: number; readerId: string };

/** "User U's log now reaches cursor C": what the real-time layer is told after commit. */
export type ChangeNotice = { userId: string; cursor: number };

const p = sql.placeholder;
const rows = (count: number) => Array.from({ length: count }, (_, i) => i);

/** Rows per statement when writing many: bounds the number of prepared shapes. */
export const ROWS_PER_STATEMENT = 100;

/** Splits `items` into chunks of at most ROWS_PER_STATEMENT. */
export function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  }
  return out;
}

/** Adds `n{i}` to user `u{i}`'s cursor for `count` users, creating missing cursors at `n{i}`. */
const bumpCursors = prepared('bump_cursors', (db, name, count: number) => {
  const { userCursors } = tables;
  return db
    .insert(userCursors)
    .values(rows(count).map((i) => ({ userId: p(`u${i}`), cursor: p(`n${i}`) })))
    .onConflictDoUpdate({
      target: userCursors.userId,
      set: { cursor: sql`${userCursors.cursor} + excluded.${sql.identifier('cursor')}` }
    })
    .returning({ userId: userCursors.userId, cursor: userCursors.cursor })
    .prepare(name);
});

const insertChanges = prepared('insert_changes', (db, name, count: number) =>
  db
    .insert(tables.userChanges)
    .values(
      rows(count).map((i) => ({
        userId: p(`u${i}`),
        cursor: p(`c${i}`),
        kind: p(`k${i}`),
        chatId: p(`chat${i}`),
        messageId: p(`m${i}`),
        payload: p(`p${i}`),
        createdAt: p('createdAt')
      }))
    )
    .prepare(name)
);

/**
 * Numbers `changes` in each user's log and writes them, in the caller's transaction: each
 * user's cursor moves once by the number of their changes, and their changes take the numbers
 * in between, in the order given. Cursors are bumped in user-id order, so that two transactions
 * on PostgreSQL always lock them in the same order. Returns each user's new cursor.
 */
export async function recordChanges(
  tx: Db,
  changes: NewChange[],
  now: Date
): Promise<ChangeNotice[]> {
  if (changes.length === 0) return [];
  const counts = new Map<string, number>();
  for (const change of changes) counts.set(change.userId, (counts.get(change.userId) ?? 0) + 1);
  const users = [...counts.keys()].sort();
  const next = new Map<string, number>();
  const notices: ChangeNotice[] = [];
  for (const chunk of chunks(users)) {
    const values: Record<string, unknown> = {};
    chunk.forEach((userId, i) => {
      values[`u${i}`] = userId;
      values[`n${i}`] = counts.get(userId);
    });
    for (const row of await bumpCursors(tx, chunk.length).execute(values)) {
      const cursor = Number(row.cursor);
      notices.push({ userId: row.userId, cursor });
      next.set(row.userId, cursor - (counts.get(row.userId) ?? 0) + 1);
    }
  }
  for (const chunk of chunks(changes)) {
    const values: Record<string, unknown> = { createdAt: now };
    chunk.forEach((change, i) => {
      const cursor = next.get(change.userId);
      if (cursor === undefined) throw new Error(`no cursor bumped for ${change.userId}`);
      next.set(change.userId, cursor + 1);
      values[`u${i}`] = change.userId;
      values[`c${i}`] = cursor;
      values[`k${i}`] = change.kind;
      values[`chat${i}`] = change.chatId;
      values[`m${i}`] = change.kind === 'message' ? change.messageId : null;
      values[`p${i}`] =
        change.kind === 'chat'
          ? change.chat
          : change.kind === 'read'
            ? { seq: change.seq, userId: change.readerId }
            : null;
    });
    await insertChanges(tx, chunk.length).execute(values);
  }
  return notices;
}

/** The user's changes after `after`, oldest first, at most `limit`. */
const changesAfter = prepared('changes_after', (db, name) => {
  const { userChanges, messages } = tables;
  return db
    .select({
      cursor: userChanges.cursor,
      kind: userChanges.kind,
      chatId: userChanges.chatId,
      payload: userChanges.payload,
      message: messages
    })
    .from(userChanges)
    .leftJoin(messages, eq(messages.id, userChanges.messageId))
    .where(and(eq(userChanges.userId, p('userId')), gt(userChanges.cursor, p('after'))))
    .orderBy(asc(userChanges.cursor))
    .limit(p('limit'))
    .prepare(name);
});

export async function readChanges(
  db: Db,
  userId: string,
  after: number,
  limit: number
): Promise<PullResponse> {
  const rows = await changesAfter(db).execute({ userId, after, limit: limit + 1 });
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const changes = page.map((row) => toChange(userId, row));
  return { changes, cursor: changes.at(-1)?.cursor ?? after, hasMore };
}

function toChange(
  userId: string,
  row: {
    cursor: number;
    kind: ChangeKind;
    chatId: string;
    payload: unknown;
    message: MessageRow | null;
  }
): Change {
  const cursor = Number(row.cursor);
  switch (row.kind) {
    case 'message':
      if (!row.message) throw new Error(`change ${userId}/${cursor} names a missing message`);
      return { cursor, type: 'message', message: toMessageState(row.message) };
    case 'chat':
      return { cursor, type: 'chat', chat: row.payload as ChatState };
    case 'read': {
      // Entries written before read receipts were shared carry no reader: the owner's own.
      const payload = row.payload as { seq: number; userId?: string };
      return {
        cursor,
        type: 'read',
        chatId: row.chatId,
        userId: payload.userId ?? userId,
        seq: payload.seq
      };
    }
  }
}

const cursorOf = prepared('cursor_of', (db, name) =>
  db
    .select({ cursor: tables.userCursors.cursor })
    .from(tables.userCursors)
    .where(eq(tables.userCursors.userId, p('userId')))
    .prepare(name)
);

/** The current cursor of a user's log (0 before their first change). */
export async function currentCursor(db: Db, userId: string): Promise<number> {
  const [row] = await cursorOf(db).execute({ userId });
  return Number(row?.cursor ?? 0);
}

/**
 * A `chat` change for each current member and for `alsoTell` (people who just left or were
 * removed, so that their devices learn it), as the chat stands now in this transaction; or for
 * `only` those people (a recipient's answer the sender must not notice).
 */
export async function chatChanges(
  tx: Db,
  chatId: string,
  alsoTell: string[] = [],
  only?: string[]
): Promise<NewChange[]> {
  const [chat] = await tx.select().from(tables.chats).where(eq(tables.chats.id, chatId));
  if (!chat) throw new Error(`chat ${chatId} vanished inside its own transaction`);
  const rows = await chatMemberRows(tx, chatId);
  const [request] = chat.kind === 'direct' ? await requestViewRows(tx, chatId) : [];
  const audience =
    only ??
    new Set([...rows.filter((row) => row.leftAt === null).map((row) => row.userId), ...alsoTell]);
  return [...audience].map((userId) => ({
    userId,
    kind: 'chat' as const,
    chatId,
    chat: toChatState(chat, rows, userId, request ?? null)
  }));
}

/**
 * `chatChanges` for several chats at once, in three reads whatever their number (a switch
 * spreading to its chats): each with its own `only`, as `chatChanges` takes it.
 */
export async function chatsChanges(
  tx: Db,
  targets: { chatId: string; only?: string[] }[]
): Promise<NewChange[]> {
  if (targets.length === 0) return [];
  const ids = targets.map((target) => target.chatId);
  const list = sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `
  );
  const chats = new Map(
    (await tx.select().from(tables.chats).where(inArray(tables.chats.id, ids))).map((chat) => [
      chat.id,
      chat
    ])
  );
  const members = new Map<string, MemberRow[]>();
  // A fixed order, the primary key's (the order an IN list's rows come in is the planner's).
  const rows = (await chatMemberRows(tx, list)).sort((a, b) => (a.userId < b.userId ? -1 : 1));
  for (const row of rows) {
    members.set(row.chatId, [...(members.get(row.chatId) ?? []), row]);
  }
  const requests = new Map((await requestViewRows(tx, list)).map((row) => [row.chatId, row]));
  return targets.flatMap(({ chatId, only }) => {
    const chat = chats.get(chatId);
    if (!chat) throw new Error(`chat ${chatId} vanished inside its own transaction`);
    const of = members.get(chatId) ?? [];
    const request = chat.kind === 'direct' ? (requests.get(chatId) ?? null) : null;
    const audience = only ?? of.filter((row) => row.leftAt === null).map((row) => row.userId);
    return [...new Set(audience)].map((userId) => ({
      userId,
      kind: 'chat' as const,
      chatId,
      chat: toChatState(chat, of, userId, request)
    }));
  });
}
