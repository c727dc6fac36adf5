// Every write the sync engine makes to IndexedDB: server answers, pulled changes, history. Each
// runs in one Dexie transaction, so a crash leaves either all of it or none of it on the device.
import Dexie from 'dexie';
import type {
  LocalChat,
  LocalMessage,
  OutboxRow,
  ParleyDB,
  Refusal,
  SettledMutation
} from '$lib/db';
import {
  createsChat,
  type BootstrapResponse,
  type Change,
  type MessageState,
  type Mutation,
  type MutationResult,
  type MutationType
} from '$common/protocol';
import { replay } from '$common/replay';
import { emptyChat, figures, recomputeChat } from './chat-view';
import { enqueueMessage, getMeta, syncTables } from './outbox';

export function messageFromServer(message: MessageState): LocalMessage {
  return {
    id: message.id,
    chatId: message.chatId,
    seq: message.seq,
    order: message.seq,
    authorId: message.authorId,
    body: message.body,
    sentAt: message.sentAt,
    createdAt: message.createdAt,
    status: 'sent',
    refusal: null
  };
}

/** Folds one pulled message into its chat's bookkeeping (recomputed afterwards). */
function noteMessage(row: LocalChat, message: MessageState, me: string): void {
  row.lastSeq = Math.max(row.lastSeq, message.seq);
  // Writing in a chat means having read it up to there.
  if (message.authorId === me) row.readSeq = Math.max(row.readSeq, message.seq);
}

function changedChatId(change: Change): string {
  return change.type === 'chat'
    ? change.chat.id
    : change.type === 'message'
      ? change.message.chatId
      : change.chatId;
}

/**
 * Applies pulled (or pushed-over-WebSocket) changes and moves the cursor, in ONE transaction:
 * a crash between the two would otherwise skip changes or apply them twice. Applying the same
 * change twice is harmless (every write is keyed by id and markers only go up), and a page older
 * than the stored cursor never moves it back. The loop over the page is synchronous on purpose:
 * one bulk read, one bulk write per table, so a page of 1,000 costs a handful of requests.
 */
export async function applyChanges(
  db: ParleyDB,
  changes: Change[],
  cursor: number,
  me: string
): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const ids = [...new Set(changes.map(changedChatId))];
    const existing = await db.chats.bulkGet(ids);
    const chats = new Map(ids.map((id, i) => [id, existing[i] ?? emptyChat(id)]));
    const newest = new Map<string, LocalMessage>();
    const messages: LocalMessage[] = [];
    for (const change of changes) {
      const row = chats.get(changedChatId(change))!;
      if (change.type === 'chat') {
        row.server = change.chat;
        row.refused = null;
        // A state pulled past an answer already holds what the answered mutation did.
        row.settled = row.settled?.filter((m) => m.cursor >= change.cursor);
      } else if (change.type === 'message') {
        const message = messageFromServer(change.message);
        messages.push(message);
        noteMessage(row, change.message, me);
        const top = newest.get(message.chatId);
        if (!top || message.order > top.order) newest.set(message.chatId, message);
      } else if (change.userId === me) {
        row.readSeq = Math.max(row.readSeq, change.seq);
      } else {
        row.reads = {
          ...row.reads,
          [change.userId]: Math.max(row.reads[change.userId] ?? 0, change.seq)
        };
      }
    }
    await db.messages.bulkPut(messages);
    // Chats where this device has nothing pending take the fast path: no reads, one bulk write.
    // The others (a pulled copy may replace a pending message) are rebuilt from what is stored.
    const queued = new Set((await db.outbox.toArray()).map((m) => m.chatId));
    const slow: string[] = [];
    const rows: LocalChat[] = [];
    for (const [chatId, row] of chats) {
      rows.push(row);
      if (queued.has(chatId) || row.pending > 0 || row.preview?.pending) {
        slow.push(chatId);
        continue;
      }
      const top = newest.get(chatId);
      const keep = row.preview !== null && (!top || row.preview.order >= top.order);
      const replayed = replay(row, true, row.settled ?? [], me);
      rows[rows.length - 1] = figures(replayed, keep ? 'keep' : top, 0);
    }
    await db.chats.bulkPut(rows);
    for (const chatId of slow) await recomputeChat(db, chatId, me);
    const stored = await getMeta(db, 'cursor', 0);
    if (cursor > stored) await db.meta.put({ key: 'cursor', value: cursor });
  });
}

/**
 * First sync of this device: the current state of every chat and its recent messages, and the
 * cursor to pull from. Chats this device created offline and the server does not know yet stay.
 */
export async function applyBootstrap(
  db: ParleyDB,
  boot: BootstrapResponse,
  me: string
): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const changes: Change[] = [
      // Each chat's state is as of the bootstrap's cursor (which settles answers before it).
      ...boot.chats.map((chat): Change => ({ cursor: boot.cursor, type: 'chat', chat })),
      ...boot.messages.map((message): Change => ({ cursor: 0, type: 'message', message }))
    ];
    await applyChanges(db, changes, boot.cursor, me);
    await db.meta.put({ key: 'bootstrapped', value: true });
  });
}

/** Older messages fetched on scroll. No cursor involved: they are already in the past. */
export async function applyHistory(
  db: ParleyDB,
  messages: MessageState[],
  me: string
): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction('rw', syncTables(db), async () => {
    await db.messages.bulkPut(messages.map(messageFromServer));
    const chatIds = new Set(messages.map((m) => m.chatId));
    for (const chatId of chatIds) await recomputeChat(db, chatId, me);
  });
}

export type ResultOutcome = {
  /** The server saw a gap before this batch: the mutations must be pushed again from the start. */
  gap: boolean;
  applied: number;
  rejected: number;
};

/**
 * Applies the server's answer to a pushed batch. `applied`: the mutation leaves the outbox and a
 * sent message takes its server place; a change to the chat stays in effect (`settled`) until
 * the chat's server state is pulled past the answer. `rejected` (final): the mutation leaves the outbox and what
 * it did is undone on the device; a message stays, marked "Not sent" with the reason, so nothing
 * typed is lost. `sequence_gap` is not final: the mutation stays and is pushed again.
 * One transaction, so a crash midway replays the whole answer (the server answers again the same).
 */
export async function applyResults(
  db: ParleyDB,
  mutations: Mutation[],
  results: MutationResult[],
  me: string
): Promise<ResultOutcome> {
  const outcome: ResultOutcome = { gap: false, applied: 0, rejected: 0 };
  await db.transaction('rw', syncTables(db), async () => {
    const touched = new Set<string>();
    const cursor = await getMeta(db, 'cursor', 0);
    const bySeq = new Map(mutations.map((m) => [m.seq, m]));
    for (const result of results) {
      const row = await db.outbox.get(result.seq);
      // Answered already (a second tab, a replayed answer), or not ours: nothing left to do.
      if (!row || row.id !== result.id || !bySeq.has(result.seq)) continue;
      if (result.status === 'rejected' && result.code === 'sequence_gap') {
        outcome.gap = true;
        continue;
      }
      await db.outbox.delete(row.seq);
      touched.add(row.chatId);
      if (result.status === 'applied') {
        outcome.applied++;
        await onApplied(db, row, result.chatSeq, cursor);
      } else {
        outcome.rejected++;
        const details = (result as { details?: Record<string, unknown> }).details;
        await onRejected(db, row, { code: result.code, message: result.message }, details, me);
      }
    }
    for (const chatId of touched) {
      await recomputeChat(db, chatId, me);
      await dropIfMoved(db, chatId);
    }
  });
  return outcome;
}

/** A local 1:1 chat whose messages all went to the existing one has nothing left to show. */
async function dropIfMoved(db: ParleyDB, chatId: string): Promise<void> {
  const chat = await db.chats.get(chatId);
  if (!chat?.movedTo) return;
  const left =
    (await db.outbox.where('chatId').equals(chatId).count()) +
    (await db.messages
      .where('[chatId+order]')
      .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
      .count());
  if (left === 0) await db.chats.delete(chatId);
}

/**
 * Mutations whose effect only a pulled chat state shows. A send and a read marker are not
 * replayed over the chat, and a create only until the device has a row for it.
 */
function changesChatState(type: MutationType): boolean {
  return type !== 'message.send' && type !== 'chat.read' && !createsChat(type);
}

async function onApplied(
  db: ParleyDB,
  row: OutboxRow,
  chatSeq: number | undefined,
  cursor: number
): Promise<void> {
  if (changesChatState(row.type)) {
    const chat = await db.chats.get(row.chatId);
    const { seq: _seq, id: _id, chatId: _chatId, state: _state, ...mutation } = row;
    const settled: SettledMutation = { ...mutation, cursor };
    if (chat) await db.chats.put({ ...chat, settled: [...(chat.settled ?? []), settled] });
    return;
  }
  if (row.type !== 'message.send' || chatSeq === undefined) return;
  const message = await db.messages.get(row.args.messageId);
  if (message && message.seq === null) {
    await db.messages.put({
      ...message,
      seq: chatSeq,
      order: chatSeq,
      status: 'sent',
      refusal: null,
      createdAt: message.createdAt ?? message.sentAt
    });
  }
  const chat = await db.chats.get(row.chatId);
  if (chat) {
    await db.chats.put({
      ...chat,
      lastSeq: Math.max(chat.lastSeq, chatSeq),
      readSeq: Math.max(chat.readSeq, chatSeq)
    });
  }
}

async function onRejected(
  db: ParleyDB,
  row: OutboxRow,
  refusal: Refusal,
  details: Record<string, unknown> | undefined,
  me: string
): Promise<void> {
  const chat = await db.chats.get(row.chatId);
  if (row.type === 'message.send') {
    const message = await db.messages.get(row.args.messageId);
    // Already delivered (learned from a pull): a late duplicate_id says nothing new.
    if (!message || message.status === 'sent') return;
    if (chat?.movedTo) {
      // Typed into a 1:1 chat the server already had under another id: send it there.
      await db.messages.delete(message.id);
      await enqueueMessage(db, chat.movedTo, message.body, me);
      await recomputeChat(db, chat.movedTo, me);
      return;
    }
    await db.messages.put({ ...message, status: 'failed', refusal });
    return;
  }
  if (!chat) return;
  const creates = createsChat(row.type);
  if (
    (row.type === 'chat.createDirect' || row.type === 'chat.startExternal') &&
    refusal.code === 'direct_chat_exists' &&
    typeof details?.chatId === 'string'
  ) {
    await db.chats.put({ ...chat, movedTo: details.chatId });
  } else if (creates && !chat.server) {
    await db.chats.put({ ...chat, refused: refusal });
  } else if (row.type !== 'chat.read') {
    // The change is undone by the replay; the notice tells the user why it did not stick.
    await db.chats.put({ ...chat, notice: { ...refusal, type: row.type } });
  }
}
