// The outbox: every user action becomes a mutation written to IndexedDB, with its visible effect,
// in one transaction. The sync engine sends it later; nothing here needs the network.
import Dexie from 'dexie';
import {
  LOCAL_ORDER_BASE,
  type MetaKey,
  type OutboxRow,
  type ParleyDB,
  type Refusal
} from '$lib/db';
import { recomputeChat } from './chat-view';
import type { ChatMember, MutationBody } from '$common/protocol';

/** The tables every sync and outbox transaction spans; the profile for the cap /api/me gave. */
export function syncTables(db: ParleyDB) {
  return [db.chats, db.messages, db.outbox, db.meta, db.profile];
}

export async function getMeta<T extends string | number | boolean>(
  db: ParleyDB,
  key: MetaKey,
  fallback: T
): Promise<T> {
  const row = await db.meta.get(key);
  return row === undefined ? fallback : (row.value as T);
}

/** Takes the device's next mutation sequence. Only call inside a transaction over `meta`. */
async function takeSeq(db: ParleyDB): Promise<number> {
  const seq = await getMeta(db, 'nextSeq', 1);
  await db.meta.put({ key: 'nextSeq', value: seq + 1 });
  return seq;
}

/**
 * A local rule that may refuse to queue a mutation, with the reason shown to the user (e.g. the
 * pre-acceptance cap: "10 of 10 sent before acceptance"). It runs inside the enqueue transaction,
 * so what it counts cannot change before the mutation is written, even with several tabs.
 */
export type QueueRule = (
  db: ParleyDB,
  mutation: MutationBody,
  context: { userId: string }
) => Promise<Refusal | null>;

const rules: QueueRule[] = [];

/** Registers a rule for every later enqueue. Returns a function that removes it. */
export function addQueueRule(rule: QueueRule): () => void {
  rules.push(rule);
  return () => {
    const index = rules.indexOf(rule);
    if (index >= 0) rules.splice(index, 1);
  };
}

/** The first rule that refuses `mutation`, or null when it may be queued. */
export async function canQueue(
  db: ParleyDB,
  mutation: MutationBody,
  context: { userId: string }
): Promise<Refusal | null> {
  for (const rule of rules) {
    const refusal = await rule(db, mutation, context);
    if (refusal) return refusal;
  }
  return null;
}

export type Enqueued = { ok: true; seq: number; id: string } | { ok: false; refusal: Refusal };

export interface EnqueueOptions {
  userId: string;
  /** People named by a create or add, so the chat shows them before the server answers. */
  members?: ChatMember[];
  /** `chat.startExternal`: the pre-acceptance cap to show until the server says. */
  cap?: number;
  now?: () => Date;
}

/**
 * Queues a user action. One transaction takes the next device sequence, writes the mutation and
 * its visible effect (a pending message with a clock, a renamed chat…). Offline it simply waits
 * in the outbox; the server's answer later confirms it, or refuses it with a reason, which marks
 * a message "Not sent" and undoes any other change (see apply.ts). A local rule may refuse it
 * here and then nothing is written.
 */
export async function enqueue(
  db: ParleyDB,
  mutation: MutationBody,
  { userId, members, cap, now = () => new Date() }: EnqueueOptions
): Promise<Enqueued> {
  return db.transaction('rw', syncTables(db), async () => {
    const refusal = await canQueue(db, mutation, { userId });
    if (refusal) return { ok: false as const, refusal };
    const queued = await write(db, mutation, userId, now().toISOString(), members, cap);
    await recomputeChat(db, mutation.args.chatId, userId);
    return { ok: true as const, ...queued };
  });
}

/**
 * Writes a pending message and its mutation, past the local rules: for a message the device
 * already accepted once (moved to the chat the server had). Only call inside a transaction over
 * `syncTables`; the caller recomputes the chat.
 */
export async function enqueueMessage(
  db: ParleyDB,
  chatId: string,
  body: string,
  me: string,
  at = new Date().toISOString()
): Promise<number> {
  const mutation: MutationBody = {
    type: 'message.send',
    args: { chatId, messageId: crypto.randomUUID(), body }
  };
  return (await write(db, mutation, me, at)).seq;
}

/** The mutation with the next device sequence, and a sent message's pending copy. */
async function write(
  db: ParleyDB,
  mutation: MutationBody,
  userId: string,
  at: string,
  members?: ChatMember[],
  cap?: number
): Promise<{ seq: number; id: string }> {
  const seq = await takeSeq(db);
  const row = {
    ...mutation,
    seq,
    id: crypto.randomUUID(),
    at,
    chatId: mutation.args.chatId,
    state: 'queued',
    ...(members && { members }),
    ...(cap !== undefined && { cap })
  } as OutboxRow;
  await db.outbox.add(row);
  if (mutation.type === 'message.send') {
    await db.messages.add({
      id: mutation.args.messageId,
      chatId: mutation.args.chatId,
      seq: null,
      order: LOCAL_ORDER_BASE + seq,
      authorId: userId,
      body: mutation.args.body,
      sentAt: at,
      createdAt: null,
      status: 'pending',
      refusal: null
    });
  }
  return { seq, id: row.id };
}

/** Sends a message (see `enqueue`). */
export function sendMessage(
  db: ParleyDB,
  chatId: string,
  body: string,
  options: EnqueueOptions
): Promise<Enqueued> {
  return enqueue(
    db,
    { type: 'message.send', args: { chatId, messageId: crypto.randomUUID(), body } },
    options
  );
}

/**
 * "Retry" on a message marked Not sent: a new mutation with a new id and sequence (the refused one
 * is final on the server), and the message moves to the end as pending. The old row goes in the
 * same transaction, so the text is never on the device twice nor lost.
 */
export async function retryMessage(
  db: ParleyDB,
  messageId: string,
  options: EnqueueOptions
): Promise<Enqueued | null> {
  return db.transaction('rw', syncTables(db), async () => {
    const message = await db.messages.get(messageId);
    if (!message || message.status !== 'failed') return null;
    await db.messages.delete(messageId);
    const result = await sendMessage(db, message.chatId, message.body, options);
    // A local rule refused the retry: keep the message as it was.
    if (!result.ok) await db.messages.put(message);
    return result;
  });
}

/** "Delete" on a message marked Not sent: only this device ever had it, so it just goes. */
export async function deleteFailedMessage(
  db: ParleyDB,
  messageId: string,
  userId: string
): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const message = await db.messages.get(messageId);
    if (!message || message.status !== 'failed') return;
    await db.messages.delete(messageId);
    await recomputeChat(db, message.chatId, userId);
  });
}

/** Hides a refusal notice (a rename or member change the server refused) once the user has read it. */
export async function dismissNotice(db: ParleyDB, chatId: string): Promise<void> {
  await db.chats.update(chatId, { notice: null });
}

/**
 * Removes a chat the server refused to create, with its messages, after the user said so. Its
 * mutations still queued stay in the outbox (taking them out would leave a gap in the device's
 * sequence); the server refuses them as `chat_not_found` and nothing comes back.
 */
export async function discardRefusedChat(db: ParleyDB, chatId: string): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const chat = await db.chats.get(chatId);
    if (!chat?.refused) return;
    await db.messages
      .where('[chatId+order]')
      .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
      .delete();
    await db.chats.delete(chatId);
  });
}
