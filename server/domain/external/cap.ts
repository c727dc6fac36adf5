// The pre-acceptance cap, counted per pair of people (docs/external-contacts.md): every message a
// sender stores toward one person before that person accepted them takes one place, whichever
// request (by email, by phone) or group the sender made it went to. The count lives in one
// `request_pairs` row per pair, taken by an atomic conditional upsert in the send's transaction.
import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import type { ChatAccess, MutationContext, Refusal } from '../sync/context.ts';
import { acceptedContacts, areExternal, requestCap } from './policy.ts';

const { messageRequests, requestPairs } = tables;

export const capReached = (cap: number): Refusal => ({
  code: 'cap_reached',
  message: `You can send ${cap} ${cap === 1 ? 'message' : 'messages'} until they accept your request.`,
  details: { cap }
});

/** The pair counter's name for the person a request reaches: their account, else the address. */
export function pairPerson(request: { recipientId: string | null; addressKey: string }): string {
  return request.recipientId ?? addressPerson(request.addressKey);
}

const addressPerson = (addressKey: string) => `address:${addressKey}`;

/**
 * Whom a send by the actor in this chat counts toward: the person of a request the actor sent
 * and that is not accepted, or, in a group the actor made, every member from outside who is not
 * the actor's accepted contact (a colleague brought them in). Sorted: the order rows are taken
 * in, so that two sends of one sender never wait on each other's rows in opposite orders.
 */
async function capPersons(tx: Db, context: MutationContext, access: ChatAccess): Promise<string[]> {
  const { chat, members } = access;
  const { actor } = context;
  if (chat.kind === 'direct') {
    if (chat.directKey !== null) return [];
    const [request] = await tx
      .select({
        senderId: messageRequests.senderId,
        recipientId: messageRequests.recipientId,
        addressKey: messageRequests.addressKey
      })
      .from(messageRequests)
      .where(and(eq(messageRequests.chatId, chat.id), ne(messageRequests.status, 'accepted')));
    return request?.senderId === actor.id ? [pairPerson(request)] : [];
  }
  if (chat.createdBy !== actor.id) return [];
  const outside = members
    .filter((m) => m.userId !== actor.id && areExternal(actor.organizationId, m.organizationId))
    .map((m) => m.userId);
  if (outside.length === 0) return [];
  const contacts = await acceptedContacts(tx, actor.id, outside);
  return outside.filter((id) => !contacts.has(id)).sort();
}

export type CapPlaces = {
  /** This send took the last place toward someone (the audit log's "cap reached"). */
  reached: boolean;
  /** Gives the places back when the send is refused after all (a message id already taken). */
  giveBack(): Promise<void>;
};

async function giveBack(tx: Db, senderId: string, persons: string[]) {
  if (persons.length === 0) return;
  await tx
    .update(requestPairs)
    .set({ sent: sql`${requestPairs.sent} - 1` })
    .where(and(eq(requestPairs.senderId, senderId), inArray(requestPairs.person, persons)));
}

/**
 * Takes one place toward each person the send counts toward, or refuses it with `cap_reached`
 * (taking none). Each place is one conditional upsert: on PostgreSQL it locks the pair's row
 * until commit, so a concurrent send to the same person (from another chat, device or
 * instance) waits and then sees the new count; SQLite has a single writer.
 */
export async function takeCapPlaces(
  tx: Db,
  context: MutationContext,
  access: ChatAccess
): Promise<CapPlaces | Refusal> {
  const senderId = context.actor.id;
  const persons = await capPersons(tx, context, access);
  if (persons.length === 0) return { reached: false, giveBack: () => Promise.resolve() };
  const cap = requestCap(await context.organization());
  const taken: string[] = [];
  let reached = false;
  for (const person of persons) {
    const [row] = await tx
      .insert(requestPairs)
      .values({ senderId, person, sent: 1 })
      .onConflictDoUpdate({
        target: [requestPairs.senderId, requestPairs.person],
        set: { sent: sql`${requestPairs.sent} + 1` },
        setWhere: lt(requestPairs.sent, cap)
      })
      .returning({ sent: requestPairs.sent });
    if (!row) {
      await giveBack(tx, senderId, taken);
      return capReached(cap);
    }
    taken.push(person);
    if (row.sent >= cap) reached = true;
  }
  return { reached, giveBack: () => giveBack(tx, senderId, taken) };
}

/**
 * Requests of `senderIds` to an address now reach its new account (sign-up, the join link):
 * what each stored toward the address counts toward the person from now on, added to what they
 * stored toward them at their other addresses.
 */
export async function moveCapCountsToAccount(
  tx: Db,
  addressKey: string,
  userId: string,
  senderIds: string[]
): Promise<void> {
  if (senderIds.length === 0) return;
  const moved = await tx
    .delete(requestPairs)
    .where(
      and(
        eq(requestPairs.person, addressPerson(addressKey)),
        inArray(requestPairs.senderId, [...new Set(senderIds)])
      )
    )
    .returning({ senderId: requestPairs.senderId, sent: requestPairs.sent });
  moved.sort((a, b) => (a.senderId < b.senderId ? -1 : 1));
  for (const { senderId, sent } of moved) {
    await tx
      .insert(requestPairs)
      .values({ senderId, person: userId, sent })
      .onConflictDoUpdate({
        target: [requestPairs.senderId, requestPairs.person],
        set: { sent: sql`${requestPairs.sent} + ${sent}` }
      });
  }
}
