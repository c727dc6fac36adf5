// `chat.startExternal` (docs/external-contacts.md): reading the typed address with the sender's
// rules, the ordered checks (a colleague, the sender's policy and blocks, the limits), then the
// chat and its request, whoever holds the address.
import { emailDomain, parseAddress, type Address } from '../../../common/address.ts';
import { INVITATION_LIFETIME_MS } from '../../../common/protocol.ts';
import { tables } from '../../store/index.ts';
import type { OrganizationRow } from '../../store/schema.ts';
import { findAccount, organizationOfEmail } from '../accounts.ts';
import { blockableAccount, blockedByOrganization } from '../admin/policy.ts';
import { chatChanges } from '../sync/changes.ts';
import { createDirectChat } from '../sync/chats.ts';
import {
  findDirectChat,
  pointAtExistingChat,
  refusals,
  takenChatId,
  type Handler,
  type Refusal
} from '../sync/context.ts';
import { recordInvitation } from './audit-events.ts';
import { newInvitationToken, takeInvitationPlace } from './invitations.ts';
import { acceptedContacts, areExternal, isOff, smsCountryAllowed } from './policy.ts';
import {
  deliveryMessage,
  NOBODY,
  resolveDelivery,
  senderOf,
  type Sender
} from './request-delivery.ts';
import { requestRefusals } from './request-rules.ts';

const { chats, chatMembers, messageRequests } = tables;

/**
 * Reads the recipient's address as the sender's device did, with the sender's rules for it
 * (their region, their organization's SMS countries); a refusal, not an error, when it fails.
 */
function readRecipientAddress(
  input: string,
  sender: Sender,
  organization: OrganizationRow | null,
  smsCountries: readonly string[]
): Address | Refusal {
  const region = organization?.defaultRegion ?? sender.region ?? undefined;
  const parsed = parseAddress(input, region);
  if (!parsed.ok) {
    return requestRefusals.invalidAddress(
      parsed.code,
      'This is not an email address or phone number that can be reached.'
    );
  }
  const { address } = parsed;
  if (address.kind === 'phone' && organization === null) {
    return requestRefusals.invalidAddress(
      'email_only',
      'With a personal account, start a chat with an email address.'
    );
  }
  if (address.kind === 'phone' && !smsCountryAllowed(smsCountries, organization, address.country)) {
    return requestRefusals.invalidAddress(
      'country_not_allowed',
      'Your organization does not send invitations by SMS to this country.'
    );
  }
  return address;
}

/**
 * `chat.startExternal`: no rule runs before it, its checks come in their own order (a colleague
 * first, then the sender's policy and blocks, then the limits); then the request, whoever holds
 * the address.
 */
export const startExternal: Handler<'chat.startExternal'> = {
  rules: [],
  async apply(tx, context, { args }) {
    const { actor, now } = context;
    const organization = await context.organization();
    const sender = await senderOf(tx, actor.id);
    const address = readRecipientAddress(
      args.address,
      sender,
      organization,
      context.external.smsCountries
    );
    if ('code' in address) return address;

    const account = await findAccount(tx, address);
    if (account?.user.id === actor.id) return refusals.userNotFound();
    // Read for every address, used by the colleague check and the delivery below.
    const domainOrganization = await organizationOfEmail(tx, address);
    // Blocking any one address of a person blocks them at all of their addresses (and with no
    // account, the same lookup runs for nobody).
    const blockedTarget = account
      ? blockableAccount(account.user)
      : {
          userId: NOBODY,
          addressKeys: [address.key],
          emailDomain: address.kind === 'email' ? emailDomain(address) : null
        };
    if (organization && account && !areExternal(organization.id, account.user.organizationId)) {
      // A removed colleague is found nowhere, like a colleague with no account.
      if (account.user.removedAt !== null) return refusals.userNotFound();
      return createDirectChat(tx, context, args.chatId, account.user.id);
    }
    if (organization && !account && domainOrganization?.id === organization.id) {
      // A colleague's address with no account yet: the directory is where colleagues are found.
      return refusals.userNotFound();
    }
    if (isOff(organization?.outboundExternal)) return refusals.outboundDisabled();
    if (organization && (await blockedByOrganization(tx, organization.id, blockedTarget))) {
      return refusals.blockedByOrganization();
    }
    const taken = await takenChatId(tx, args.chatId, null);
    if (taken) return taken;
    // Looked up for an address with no account too (for nobody): the same work either way.
    if ((await acceptedContacts(tx, actor.id, [account?.user.id ?? NOBODY])).size > 0 && account) {
      const existing = await findDirectChat(tx, actor.id, account.user.id);
      if (existing) return pointAtExistingChat(tx, actor.id, args.chatId, existing);
    }
    const limited = await takeInvitationPlace(tx, context, address);
    if (limited) return limited;

    const delivery = await resolveDelivery(tx, sender, address, account, domainOrganization);
    const { token, hash } = newInvitationToken();
    await tx.insert(chats).values({
      id: args.chatId,
      kind: 'direct',
      name: null,
      createdBy: actor.id,
      createdAt: now,
      lastSeq: 0,
      directKey: null
    });
    // The recipient, when the request reaches them, joins in the same statement as the sender.
    const recipientId = delivery.send === 'request' ? (delivery.recipient?.id ?? null) : null;
    await tx.insert(chatMembers).values(
      [actor.id, ...(recipientId === null ? [] : [recipientId])].map((userId) => ({
        chatId: args.chatId,
        userId,
        joinedAt: now,
        readSeq: 0
      }))
    );
    await tx.insert(messageRequests).values({
      chatId: args.chatId,
      senderId: actor.id,
      recipientId: delivery.recipient?.id ?? null,
      address: address.value,
      addressKey: address.key,
      channel: address.kind === 'email' ? 'email' : 'sms',
      status: 'pending',
      suppressed: delivery.send === null,
      tokenHash: hash,
      sentAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
      createdAt: now
    });
    const message = deliveryMessage(context, {
      sender,
      organizationName: organization?.name ?? null,
      address,
      delivery,
      token
    });
    if (message) context.deliver(message);
    // Recorded whatever `delivery` is: the sender's organization learns no more than the sender.
    await recordInvitation(
      tx,
      'invitation.sent',
      actor.id,
      { address: address.value, channel: address.kind === 'email' ? 'email' : 'sms' },
      now
    );
    return { changes: await chatChanges(tx, args.chatId) };
  }
};
