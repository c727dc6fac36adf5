// The sender's control of an invitation (docs/external-contacts.md): `invitation.resend` sends
// a new link, delivered again as a first request would be; `invitation.revoke` ends the link and
// takes the recipient, if they had it, out of the chat.
import { eq } from 'drizzle-orm';
import { parseAddress } from '../../../common/address.ts';
import { INVITATION_LIFETIME_MS } from '../../../common/protocol.ts';
import { tables } from '../../store/index.ts';
import { findAccount, organizationOfEmail } from '../accounts.ts';
import { senderOrganizationBlocked } from '../admin/policy.ts';
import { chatChanges } from '../sync/changes.ts';
import { membersOnly, refusals, type Handler, type Rule } from '../sync/context.ts';
import { leaveChat } from '../sync/membership.ts';
import { recordInvitation } from './audit-events.ts';
import { newInvitationToken, takeInvitationPlace } from './invitations.ts';
import { isOff } from './policy.ts';
import { deliverAgain, resolveDelivery, senderOf, type Delivery } from './request-delivery.ts';
import { memberRequest, pendingRequestOf } from './request-rules.ts';

const { messageRequests } = tables;

/**
 * Only the sender controls an invitation still open; to anyone else there is no such request.
 * A resend is a new invitation: the sender's policy and their organization's blocks apply.
 */
function senderOnly(resending: boolean): Rule<'invitation.resend' | 'invitation.revoke'> {
  return async (tx, context, { args }) => {
    const access = await context.chat(args.chatId);
    const request = access && (await pendingRequestOf(tx, access.chat));
    if (request?.senderId !== context.actor.id) return refusals.chatNotFound();
    if (!resending) return null;
    const organization = await context.organization();
    if (isOff(organization?.outboundExternal)) return refusals.outboundDisabled();
    return (await senderOrganizationBlocked(tx, context.actor.organizationId, request))
      ? refusals.blockedByOrganization()
      : null;
  };
}

/** `invitation.resend`: a new link (the old one dies) and a new expiry; delivered again. */
export const resend: Handler<'invitation.resend'> = {
  rules: [membersOnly, senderOnly(true)],
  async apply(tx, context, { args }) {
    const { chat, request } = await memberRequest(context, tx, args.chatId);
    const { actor, now } = context;
    const parsed = parseAddress(request.address, undefined);
    if (!parsed.ok) throw new Error(`stored address of request ${chat.id} no longer parses`);
    const address = parsed.address;
    const limited = await takeInvitationPlace(tx, context, address);
    if (limited) return limited;
    const sender = await senderOf(tx, actor.id);
    // A recipient who declined or blocked is not asked again.
    const delivery: Delivery =
      request.status === 'pending'
        ? await resolveDelivery(
            tx,
            sender,
            address,
            await findAccount(tx, address),
            await organizationOfEmail(tx, address)
          )
        : { recipient: null, send: null };
    const { token, hash } = newInvitationToken();
    await tx
      .update(messageRequests)
      .set({
        tokenHash: hash,
        sentAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
        revokedAt: null,
        ...(request.status === 'pending' && {
          recipientId: delivery.recipient?.id ?? request.recipientId,
          suppressed: delivery.send === null
        })
      })
      .where(eq(messageRequests.chatId, chat.id));
    await deliverAgain(tx, context, {
      chatId: chat.id,
      sender,
      organizationName: (await context.organization())?.name ?? null,
      address,
      delivery,
      token
    });
    // Recorded even when nothing is delivered (declined, blocked): the sender sees it sent.
    await recordInvitation(tx, 'invitation.resent', actor.id, request, now);
    return { changes: await chatChanges(tx, chat.id) };
  }
};

/** `invitation.revoke`: the link dies and the recipient, if they had it, leaves the chat. */
export const revoke: Handler<'invitation.revoke'> = {
  rules: [membersOnly, senderOnly(false)],
  async apply(tx, context, { args }) {
    const { chat, request } = await memberRequest(context, tx, args.chatId);
    if (request.revokedAt !== null) return { changes: [] };
    const { now } = context;
    await tx
      .update(messageRequests)
      .set({ tokenHash: null, revokedAt: now })
      .where(eq(messageRequests.chatId, chat.id));
    await recordInvitation(tx, 'invitation.revoked', request.senderId, request, now);
    const { recipientId } = request;
    const left = recipientId !== null && (await leaveChat(tx, chat.id, recipientId, now));
    return { changes: await chatChanges(tx, chat.id, left ? [recipientId] : []) };
  }
};
