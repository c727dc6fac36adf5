// Message requests on the device: the pre-acceptance cap applied to what is queued (offline too),
// and which chats are requests waiting for an answer or gone after one (docs/external-contacts.md).
import Dexie from 'dexie';
import type { LocalChat, ParleyDB, Refusal } from '$lib/db';
import { format } from '$lib/i18n/catalogues';
import { pluralKey } from '$lib/i18n/plural';
import type { QueueRule } from './outbox';

/** Messages the sender of a pending request has used of the cap, and the cap. */
export interface CapUsage {
  used: number;
  cap: number;
}

/**
 * For the sender of a request the recipient has not accepted: the messages that count toward the
 * cap (delivered ones and those still queued; a refused one does not count), else null. The cap
 * is per pair of people, so every pending request of this sender to the same address counts: the
 * device cannot know which other addresses (or groups) reach the same person, the server counts
 * those and refuses with the same code. The pair holds at most `cap` (≤ 10) messages, so counting
 * them is cheap.
 *
 * The cap is the lower of the chat's (as last synced) and the one GET /api/me last gave: an admin
 * who lowers it changes no chat, so only the profile tells the device before the chat next syncs.
 */
export async function capUsage(
  db: ParleyDB,
  chat: LocalChat,
  me: string
): Promise<CapUsage | null> {
  const request = chat.request;
  if (request?.role !== 'sender' || request.state !== 'pending') return null;
  const samePerson = await db.chats
    .filter(
      (other) =>
        other.request?.role === 'sender' &&
        other.request.state === 'pending' &&
        other.request.address === request.address
    )
    .primaryKeys();
  let used = 0;
  for (const chatId of new Set([chat.id, ...samePerson])) {
    used += await db.messages
      .where('[chatId+order]')
      .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
      .filter((message) => message.authorId === me && message.status !== 'failed')
      .count();
  }
  const profile = await db.profile.get('me');
  // Absent from profiles cached before the server sent it, and unknown once signed out.
  const known = profile?.me.id === me ? profile.me.requestCap : undefined;
  return { used, cap: Math.min(request.cap, known ?? request.cap) };
}

/**
 * Refuses to queue a message past the cap, so the device never queues what the server would
 * refuse with the same code. It runs inside the enqueue transaction: two tabs cannot both take
 * the last place. Register it once with `addQueueRule(requestCapRule)`.
 */
export const requestCapRule: QueueRule = async (db, mutation, { userId }) => {
  if (mutation.type !== 'message.send') return null;
  const chat = await db.chats.get(mutation.args.chatId);
  if (!chat?.request) return null;
  const usage = await capUsage(db, chat, userId);
  if (!usage || usage.used < usage.cap) return null;
  return capReached(usage.cap, chat.request.address);
};

/**
 * The screens translate the code (the chat page in the user's language); `message` is the English
 * a refusal carries for a version that does not know the code, as the server's does.
 */
export function capReached(cap: number, address: string): Refusal {
  const key = pluralKey('en', 'request.capReached', cap);
  return { code: 'cap_reached', message: format('en', key, { count: cap, address }) };
}

/** A message request waiting for this person's answer (listed apart from chats). */
export function isIncomingRequest(chat: LocalChat): boolean {
  return chat.request?.role === 'recipient' && chat.request.state === 'pending' && chat.active;
}

/**
 * Chats with nothing to show in the list: moved into an existing 1:1 chat, or requests this
 * person declined or blocked, or that ended before they answered (the sender withdrew it).
 */
export function isHiddenChat(chat: LocalChat): boolean {
  if (chat.movedTo) return true;
  const request = chat.request;
  if (request?.role !== 'recipient') return false;
  return (
    request.state === 'declined' ||
    request.state === 'blocked' ||
    (request.state === 'pending' && !chat.active)
  );
}
