// The external-contact events of the audit log (docs/administration.md, Audit log): which
// organization's log each one goes to, and what it may say. Written in the mutation's own
// transaction; nothing here reveals to a log what its member was not told.
import { eq, inArray } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import type { Channel } from '../../store/schema.ts';
import { recordAudit } from '../audit.ts';
import type { ChatRow } from '../../store/schema.ts';
import type { MutationContext } from '../sync/context.ts';
import { requestCap } from './policy.ts';

type Person = { id: string; name: string; organizationId: string | null };

async function people(tx: Db, ids: string[]): Promise<Map<string, Person>> {
  const { users } = tables;
  const rows = await tx
    .select({ id: users.id, name: users.name, organizationId: users.organizationId })
    .from(users)
    .where(inArray(users.id, ids));
  return new Map(rows.map((row) => [row.id, row]));
}

async function person(tx: Db, id: string): Promise<Person> {
  const found = (await people(tx, [id])).get(id);
  if (!found) throw new Error(`user ${id} of a request is missing`);
  return found;
}

const actorOf = (p: Person) => ({ id: p.id, name: p.name });

/**
 * `invitation.sent` / `resent` / `revoked`, in the sender's organization (personal senders have
 * no log). The same event whoever holds the address, or nobody: only what the sender typed and
 * the channel, never the account behind it.
 */
export async function recordInvitation(
  tx: Db,
  type: 'invitation.sent' | 'invitation.resent' | 'invitation.revoked',
  senderId: string,
  invitation: { address: string; channel: Channel },
  at: Date
): Promise<void> {
  const sender = await person(tx, senderId);
  if (sender.organizationId === null) return;
  await recordAudit(tx, {
    organizationId: sender.organizationId,
    type,
    actor: actorOf(sender),
    target: invitation.address,
    details: { channel: invitation.channel },
    at
  });
}

/** `request.accepted`, in each side's organization, about the other person. */
export async function recordAccepted(
  tx: Db,
  request: { senderId: string; recipientId: string; address: string },
  at: Date
): Promise<void> {
  const found = await people(tx, [request.senderId, request.recipientId]);
  const sender = found.get(request.senderId);
  const recipient = found.get(request.recipientId);
  if (!sender || !recipient) throw new Error('a person of an accepted request is missing');
  if (sender.organizationId !== null) {
    await recordAudit(tx, {
      organizationId: sender.organizationId,
      type: 'request.accepted',
      actor: actorOf(recipient),
      targetUserId: recipient.id,
      target: recipient.name,
      // What the sender typed, as in their `invitation.sent`; the recipient's log leaves out
      // which of its member's addresses was used.
      details: { address: request.address },
      at
    });
  }
  if (recipient.organizationId !== null) {
    await recordAudit(tx, {
      organizationId: recipient.organizationId,
      type: 'request.accepted',
      actor: actorOf(recipient),
      targetUserId: sender.id,
      target: sender.name,
      at
    });
  }
}

/**
 * `request.declined` / `request.blocked`, in the recipient's organization only: the sender is
 * never told, so their organization's log is not either.
 */
export async function recordRefused(
  tx: Db,
  type: 'request.declined' | 'request.blocked',
  request: { senderId: string; recipientId: string },
  at: Date
): Promise<void> {
  const recipient = await person(tx, request.recipientId);
  if (recipient.organizationId === null) return;
  const sender = await person(tx, request.senderId);
  await recordAudit(tx, {
    organizationId: recipient.organizationId,
    type,
    actor: actorOf(recipient),
    targetUserId: sender.id,
    target: sender.name,
    at
  });
}

/**
 * `request.cap_reached`, in the sender's organization, when the message just stored in a request
 * not yet accepted took the last place toward its person (`takeCapPlaces`, cap.ts). The sends
 * refused after it are not recorded: exactly one send takes the last place. (A group message
 * that takes the last place toward a member is not recorded: there is no request to name.)
 */
export async function recordCapReached(
  tx: Db,
  context: MutationContext,
  chat: ChatRow
): Promise<void> {
  const { actor } = context;
  if (chat.kind !== 'direct' || chat.directKey !== null || actor.organizationId === null) return;
  const cap = requestCap(await context.organization());
  const { messageRequests } = tables;
  const [request] = await tx
    .select({
      senderId: messageRequests.senderId,
      address: messageRequests.address,
      status: messageRequests.status
    })
    .from(messageRequests)
    .where(eq(messageRequests.chatId, chat.id));
  if (!request || request.status === 'accepted' || request.senderId !== actor.id) return;
  const sender = await person(tx, actor.id);
  if (sender.organizationId === null) return;
  await recordAudit(tx, {
    organizationId: sender.organizationId,
    type: 'request.cap_reached',
    actor: actorOf(sender),
    target: request.address,
    details: { cap },
    at: context.now
  });
}
