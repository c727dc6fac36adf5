// What the mutation families read of message requests (docs/external-contacts.md): the request
// behind a chat, whether its recipient's door is closed to the sender, what may be sent before
// acceptance, and who a message or read marker in a request reaches. The mutations themselves
// live beside it (start-external.ts, request-answers.ts, invitation-control.ts) and in sync/.
import { eq } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import { senderOrganizationBlocked } from '../admin/policy.ts';
import { hideRequest } from '../admin/effects.ts';
import type { ChatRow, MessageRequestRow } from '../../store/schema.ts';
import type { NewChange } from '../sync/changes.ts';
import {
  closedRefusal,
  refusals,
  refuse,
  type MutationContext,
  type Refusal
} from '../sync/context.ts';
import { areExternal, isOff, organizationFor, writeClosedReason } from './policy.ts';

const { messageRequests, users } = tables;

export const requestRefusals = {
  invalidAddress: (reason: string, message: string): Refusal => ({
    code: 'invalid_address',
    message,
    details: { reason }
  }),
  notAccepted: (): Refusal =>
    refuse('request_not_accepted', 'Accept the request before you reply.'),
  revoked: (): Refusal =>
    refuse('request_revoked', 'You withdrew this invitation. Send it again to write here.')
};

/** The request behind a chat, if it is one. Only a 1:1 chat without a direct key can be pending. */
export async function requestOf(tx: Db, chat: ChatRow): Promise<MessageRequestRow | null> {
  if (chat.kind !== 'direct') return null;
  const [row] = await tx.select().from(messageRequests).where(eq(messageRequests.chatId, chat.id));
  return row ?? null;
}

/** The request behind a chat while it is not accepted (pending, declined or blocked). */
export async function pendingRequestOf(tx: Db, chat: ChatRow) {
  if (chat.directKey !== null) return null;
  const request = await requestOf(tx, chat);
  return request && request.status !== 'accepted' ? request : null;
}

/**
 * Whether the actor's inbound chat (their override, else their organization's) is closed to
 * `senderId`, someone outside the organization. Read here rather than from `suppressed`, which
 * a switch sets only as its effect spreads (admin/spread.ts): the setting applies at once.
 */
export async function inboundClosedTo(
  tx: Db,
  context: MutationContext,
  senderId: string
): Promise<boolean> {
  const organization = await context.organization();
  if (organization === null || !isOff(organization.inboundExternal)) return false;
  const [sender] = await tx
    .select({ organizationId: users.organizationId })
    .from(users)
    .where(eq(users.id, senderId));
  return areExternal(sender?.organizationId ?? null, organization.id);
}

/**
 * Before acceptance the recipient cannot write, and the sender only while their policy lets
 * them and the invitation stands; the cap comes after these, when the message is stored.
 */
export async function sendRefusal(
  tx: Db,
  context: MutationContext,
  chatId: string
): Promise<Refusal | null> {
  const access = await context.chat(chatId);
  if (!access) return null;
  const request = await pendingRequestOf(tx, access.chat);
  const { actor } = context;
  if (request) {
    if (request.senderId !== actor.id) return requestRefusals.notAccepted();
    const organization = await context.organization();
    if (isOff(organization?.outboundExternal)) return refusals.outboundDisabled();
    if (await senderOrganizationBlocked(tx, actor.organizationId, request)) {
      return refusals.blockedByOrganization();
    }
    // Last comes the cap, taken per pair of people as the message is stored (cap.ts).
    return request.revokedAt !== null ? requestRefusals.revoked() : null;
  }
  return closedRefusal(writeClosedReason(access.chat, access.members, actor.id));
}

/**
 * Who a message in `chat` reaches: its current members, except the recipient of a request who
 * must no longer see it. When the recipient's inbound chat closed to the sender and the switch's
 * effect has not reached this chat yet, the request is hidden from them now, before the message.
 */
export async function messageAudience(
  tx: Db,
  context: MutationContext,
  chat: ChatRow,
  memberIds: string[]
): Promise<{ audience: string[]; changes: NewChange[] }> {
  const everyone = { audience: memberIds, changes: [] };
  if (chat.kind !== 'direct' || chat.directKey !== null) return everyone;
  const request = await pendingRequestOf(tx, chat);
  const recipientId = request?.recipientId;
  if (!request || !recipientId || !memberIds.includes(recipientId)) return everyone;
  const audience = memberIds.filter((id) => id !== recipientId);
  // Hidden earlier in this transaction (the chat's member list was read before that).
  if (request.suppressed) return { audience, changes: [] };
  if (request.status !== 'pending' || request.senderId !== context.actor.id) return everyone;
  const organization = await organizationFor(tx, recipientId);
  if (organization === null || !isOff(organization.inboundExternal)) return everyone;
  if (!areExternal(context.actor.organizationId, organization.id)) return everyone;
  return { audience, changes: await hideRequest(tx, chat.id, recipientId, context.now) };
}

/** Whether a read marker is shared with the other members: not in a request not yet accepted. */
export async function sharesReadReceipts(tx: Db, chat: ChatRow): Promise<boolean> {
  return (await pendingRequestOf(tx, chat)) === null;
}

/** The request behind a chat that passed its family's rules: there must be one. */
export async function memberRequest(context: MutationContext, tx: Db, chatId: string) {
  const access = await context.chat(chatId);
  const request = access && (await requestOf(tx, access.chat));
  if (!access || !request) throw new Error(`request ${chatId} passed its rule but is missing`);
  return { chat: access.chat, request };
}
