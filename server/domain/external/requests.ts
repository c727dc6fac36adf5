// Message requests inside the sync engine's pipeline (docs/external-contacts.md): starting one,
// the recipient's answer, the sender's control of the invitation, and what may be sent before
// acceptance. Whatever happens to the address, the sender's answer and view are the same.
import { and, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import { emailDomain, parseAddress, type Address } from '../../../common/address.ts';
import { INVITATION_LIFETIME_MS, type Mutation } from '../../../common/protocol.ts';
import { tables, type Db } from '../../store/index.ts';
import type { Locale } from '../../store/schema.ts';
import { findAccount, organizationOfEmail, type Account } from '../accounts.ts';
import type { Organization } from '../sessions.ts';
import {
  blockableAccount,
  blockedByOrganization,
  senderOrganizationBlocked
} from '../admin/policy.ts';
import { hideRequest } from '../admin/effects.ts';
import { chatChanges, type NewChange } from '../sync/changes.ts';
import { createDirectChat, type Applied } from '../sync/mutations.ts';
import {
  directKey,
  findDirectChat,
  closedRefusal,
  refusals,
  refuse,
  takenChatId,
  type ChatAccess,
  type MutationContext,
  type Refusal
} from '../sync/rules.ts';
import { recordAccepted, recordInvitation, recordRefused } from './audit-events.ts';
import {
  countInvitation,
  invitationLimitsFor,
  invitationMessage,
  newInvitationToken
} from './invitations.ts';
import {
  acceptedContacts,
  areExternal,
  effectiveSetting,
  declinedWithoutReply,
  hasBlocked,
  isOff,
  organizationFor,
  outboundOpen,
  smsCountryAllowed,
  writeClosedReason
} from './policy.ts';

export type RequestRecord = typeof tables.messageRequests.$inferSelect;

const { chats, chatMembers, chatAliases, messageRequests, invitationRefusals, userBlocks, users } =
  tables;

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
export async function requestOf(tx: Db, chat: ChatAccess['chat']): Promise<RequestRecord | null> {
  if (chat.kind !== 'direct') return null;
  const [row] = await tx.select().from(messageRequests).where(eq(messageRequests.chatId, chat.id));
  return row ?? null;
}

async function pendingRequestOf(tx: Db, chat: ChatAccess['chat']) {
  if (chat.directKey !== null) return null;
  const request = await requestOf(tx, chat);
  return request && request.status !== 'accepted' ? request : null;
}

/** The rule for request mutations and for sends in a request (called from rules.ts). */
export async function checkRequest(
  tx: Db,
  context: MutationContext,
  mutation: Mutation
): Promise<Refusal | null> {
  switch (mutation.type) {
    case 'request.accept':
    case 'request.decline':
    case 'request.block': {
      // Only the recipient of a request still open; to anyone else there is no such request.
      const access = await context.chat(mutation.args.chatId);
      const request = access && (await pendingRequestOf(tx, access.chat));
      const answerable =
        request?.recipientId === context.actor.id &&
        request.status === 'pending' &&
        request.revokedAt === null &&
        !request.suppressed &&
        !(await inboundClosedTo(tx, context, request.senderId));
      if (!answerable) return refusals.chatNotFound();
      // While the sender may not chat with outsiders the request stands, read-only: it cannot
      // be accepted (decline and block stay open to the recipient).
      return mutation.type === 'request.accept' && !(await outboundOpen(tx, request.senderId))
        ? refusals.readOnly()
        : null;
    }
    case 'invitation.resend':
    case 'invitation.revoke': {
      const access = await context.chat(mutation.args.chatId);
      const request = access && (await pendingRequestOf(tx, access.chat));
      if (request?.senderId !== context.actor.id) return refusals.chatNotFound();
      if (mutation.type === 'invitation.revoke') return null;
      const organization = await context.organization();
      if (isOff(organization?.outboundExternal)) return refusals.outboundDisabled();
      return (await senderOrganizationBlocked(tx, context.actor.organizationId, request))
        ? refusals.blockedByOrganization()
        : null;
    }
    case 'message.send':
      return sendRefusal(tx, context, mutation.args.chatId);
    default:
      return null;
  }
}

/**
 * Whether the actor's inbound chat (their override, else their organization's) is closed to
 * `senderId`, someone outside the organization. Read here rather than from `suppressed`, which
 * a switch sets only as its effect spreads (admin/spread.ts): the setting applies at once.
 */
async function inboundClosedTo(
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
async function sendRefusal(
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
  chat: ChatAccess['chat'],
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
export async function sharesReadReceipts(tx: Db, chat: ChatAccess['chat']): Promise<boolean> {
  return (await pendingRequestOf(tx, chat)) === null;
}

type Sender = {
  id: string;
  /** As verified at sign-in: shown next to the name in what a stranger receives. */
  email: string | null;
  emailKey: string | null;
  phone: string | null;
  name: string;
  locale: Locale | null;
  region: string | null;
  organizationId: string | null;
};

async function senderOf(tx: Db, userId: string): Promise<Sender> {
  const [row] = await tx
    .select({
      id: users.id,
      email: users.email,
      emailKey: users.emailKey,
      phone: users.phone,
      name: users.name,
      locale: users.locale,
      region: users.region,
      organizationId: users.organizationId
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) throw new Error(`the signed-in user ${userId} is missing`);
  return row;
}

type Delivery = {
  /** The account behind the address, if any (recorded even when nothing reaches it). */
  recipient: { id: string; locale: Locale | null } | null;
  send: 'request' | 'invitation' | null;
};

/**
 * An id no account or organization has: a lookup for it runs as for anyone and finds nothing,
 * so that an address with no account costs the same lookups as one with an account.
 */
const NOBODY = '';

/**
 * Where a request to `address` goes. Blocks (the recipient's or their organization's), a
 * decline the recipient has not since answered by writing, refusals, closed inbound chat and
 * personal senders with no account on the other side all come out as "nothing": never told to
 * the sender. Every lookup runs, and all of them before anything is decided, whatever the
 * address turns out to be: the answer's time must not tell (docs/external-contacts.md, Same
 * work for every address). `domainOrganization` is `organizationOfEmail(address)`.
 */
async function resolveDelivery(
  tx: Db,
  sender: Sender,
  address: Address,
  account: Account | null,
  domainOrganization: Organization | null
): Promise<Delivery> {
  const [refused] = await tx
    .select({ key: invitationRefusals.addressKey })
    .from(invitationRefusals)
    .where(
      and(
        eq(invitationRefusals.addressKey, address.key),
        eq(invitationRefusals.senderId, sender.id)
      )
    )
    .limit(1);
  // Someone on a domain whose organization is closed to the sender would join it: not reachable.
  const theirOrganization = account ? account.organization : domainOrganization;
  const recipientId = account?.user.id ?? NOBODY;
  const blocked = await hasBlocked(tx, recipientId, sender.id);
  const declined = await declinedWithoutReply(tx, recipientId, sender.id);
  const blockedByTheirs = await blockedByOrganization(
    tx,
    theirOrganization?.id ?? NOBODY,
    blockableAccount(sender)
  );
  const inboundOpen = account
    ? effectiveSetting(account.user.inboundOverride, theirOrganization?.inboundExternal)
    : !isOff(theirOrganization?.inboundExternal);
  const closed = refused !== undefined || blocked || declined || blockedByTheirs || !inboundOpen;
  if (account) {
    // A removed member is reached by nothing, and the sender is not told.
    if (account.user.removedAt !== null) return { recipient: null, send: null };
    const recipient = { id: account.user.id, locale: account.user.locale };
    return { recipient, send: closed || !account.user.requestsAllowed ? null : 'request' };
  }
  return { recipient: null, send: closed || sender.organizationId === null ? null : 'invitation' };
}

/**
 * The email or SMS a delivery sends, or null. The message is written whatever the delivery
 * (and dropped when nothing is sent), so that no kind of address costs less to answer.
 */
function deliveryMessage(
  context: MutationContext,
  input: {
    sender: Sender;
    organizationName: string | null;
    address: Address;
    delivery: Delivery;
    token: string;
  }
) {
  const { delivery, sender, address } = input;
  const common = {
    sender: {
      name: sender.name,
      organization: input.organizationName,
      address: sender.email ?? sender.phone
    },
    address,
    publicUrl: context.external.publicUrl
  };
  const message = delivery.recipient
    ? invitationMessage('request', {
        ...common,
        locale: delivery.recipient.locale ?? 'en',
        token: null
      })
    : invitationMessage('invitation', {
        ...common,
        locale: sender.locale ?? 'en',
        token: input.token
      });
  return delivery.send === null ? null : message;
}

/** Puts the recipient back in the chat (on their old row if they had left) and tells them. */
async function deliverAgain(
  tx: Db,
  context: MutationContext,
  input: Parameters<typeof deliveryMessage>[1] & { chatId: string }
) {
  const { delivery } = input;
  if (delivery.send === 'request' && delivery.recipient) {
    const { now } = context;
    await tx
      .update(chatMembers)
      .set({ leftAt: null, joinedAt: now })
      .where(
        and(
          eq(chatMembers.chatId, input.chatId),
          eq(chatMembers.userId, delivery.recipient.id),
          // Someone still in the chat keeps their place.
          isNotNull(chatMembers.leftAt)
        )
      );
    await tx
      .insert(chatMembers)
      .values({ chatId: input.chatId, userId: delivery.recipient.id, joinedAt: now, readSeq: 0 })
      .onConflictDoNothing();
  }
  const message = deliveryMessage(context, input);
  if (message) context.deliver(message);
}

/** Reads the typed address as the sender's device did, with the sender's rules for it. */
function readAddress(
  input: string,
  sender: Sender,
  organization: Awaited<ReturnType<MutationContext['organization']>>,
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

/** `chat.startExternal`: the ordered checks, then the request, whoever holds the address. */
export async function startExternal(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'chat.startExternal' }>
): Promise<Applied | Refusal> {
  const { actor, now } = context;
  const organization = await context.organization();
  const sender = await senderOf(tx, actor.id);
  const address = readAddress(args.address, sender, organization, context.external.smsCountries);
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
    if (existing) {
      await tx
        .insert(chatAliases)
        .values({ aliasId: args.chatId, userId: actor.id, chatId: existing })
        .onConflictDoNothing();
      return refusals.directChatExists(existing);
    }
  }
  const limits = invitationLimitsFor(context.external.limits, await context.organization());
  const limited = await countInvitation(tx, limits, {
    senderId: actor.id,
    organizationId: actor.organizationId,
    address,
    now
  });
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

async function memberRequest(context: MutationContext, tx: Db, chatId: string) {
  const access = await context.chat(chatId);
  const request = access && (await requestOf(tx, access.chat));
  if (!access || !request) throw new Error(`request ${chatId} passed its rule but is missing`);
  return { chat: access.chat, request };
}

/** `request.accept`: the two become contacts; the chat becomes their 1:1 unless they had one. */
export async function accept(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'request.accept' }>
): Promise<Applied | Refusal> {
  const { chat, request } = await memberRequest(context, tx, args.chatId);
  const { now, actor } = context;
  await tx
    .update(messageRequests)
    .set({ status: 'accepted', respondedAt: now, tokenHash: null })
    .where(eq(messageRequests.chatId, chat.id));
  if ((await findDirectChat(tx, request.senderId, actor.id)) === null) {
    await tx
      .update(chats)
      .set({ directKey: directKey(request.senderId, actor.id) })
      .where(eq(chats.id, chat.id));
  }
  await recordAccepted(
    tx,
    { senderId: request.senderId, recipientId: actor.id, address: request.address },
    now
  );
  return { changes: await chatChanges(tx, chat.id) };
}

/** Decline and block: the recipient leaves; only their own devices hear of it. */
async function refuseRequest(
  tx: Db,
  context: MutationContext,
  chatId: string,
  status: 'declined' | 'blocked'
): Promise<Applied> {
  const { now, actor } = context;
  await tx
    .update(messageRequests)
    .set({ status, respondedAt: now, tokenHash: null })
    .where(eq(messageRequests.chatId, chatId));
  await tx
    .update(chatMembers)
    .set({ leftAt: now })
    .where(and(eq(chatMembers.chatId, chatId), eq(chatMembers.userId, actor.id)));
  return { changes: await chatChanges(tx, chatId, [], [actor.id]) };
}

/** `request.decline`: the sender's new requests stop reaching this person until they write. */
export async function decline(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'request.decline' }>
): Promise<Applied | Refusal> {
  const { chat, request } = await memberRequest(context, tx, args.chatId);
  const { actor, now } = context;
  await recordRefused(
    tx,
    'request.declined',
    { senderId: request.senderId, recipientId: actor.id },
    now
  );
  return refuseAll(tx, context, chat.id, request.senderId, 'declined');
}

/** `request.block`: as decline, and nothing from the sender reaches this person again. */
export async function block(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'request.block' }>
): Promise<Applied | Refusal> {
  const { chat, request } = await memberRequest(context, tx, args.chatId);
  const { now, actor } = context;
  await tx
    .insert(userBlocks)
    .values({ blockerId: actor.id, blockedId: request.senderId, createdAt: now })
    .onConflictDoNothing();
  // One event for the block, not one per request of the sender's that it closes.
  await recordRefused(
    tx,
    'request.blocked',
    { senderId: request.senderId, recipientId: actor.id },
    now
  );
  return refuseAll(tx, context, chat.id, request.senderId, 'blocked');
}

/**
 * Declines or blocks the answered request and the sender's other open requests that reached
 * this person (at another of their addresses); those that never reached them are suppressed
 * by the decline or block itself.
 */
async function refuseAll(
  tx: Db,
  context: MutationContext,
  chatId: string,
  senderId: string,
  status: 'declined' | 'blocked'
): Promise<Applied> {
  const { actor } = context;
  const changes = (await refuseRequest(tx, context, chatId, status)).changes;
  const others = await tx
    .select({ chatId: messageRequests.chatId })
    .from(messageRequests)
    .innerJoin(
      chatMembers,
      and(
        eq(chatMembers.chatId, messageRequests.chatId),
        eq(chatMembers.userId, actor.id),
        isNull(chatMembers.leftAt)
      )
    )
    .where(
      and(
        eq(messageRequests.senderId, senderId),
        eq(messageRequests.recipientId, actor.id),
        eq(messageRequests.status, 'pending'),
        ne(messageRequests.chatId, chatId)
      )
    );
  for (const other of others) {
    changes.push(...(await refuseRequest(tx, context, other.chatId, status)).changes);
  }
  return { changes };
}

/** `invitation.resend`: a new link (the old one dies) and a new expiry; delivered again. */
export async function resend(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'invitation.resend' }>
): Promise<Applied | Refusal> {
  const { chat, request } = await memberRequest(context, tx, args.chatId);
  const { actor, now } = context;
  const parsed = parseAddress(request.address, undefined);
  if (!parsed.ok) throw new Error(`stored address of request ${chat.id} no longer parses`);
  const address = parsed.address;
  const limits = invitationLimitsFor(context.external.limits, await context.organization());
  const limited = await countInvitation(tx, limits, {
    senderId: actor.id,
    organizationId: actor.organizationId,
    address,
    now
  });
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

/** `invitation.revoke`: the link dies and the recipient, if they had it, leaves the chat. */
export async function revoke(
  tx: Db,
  context: MutationContext,
  { args }: Extract<Mutation, { type: 'invitation.revoke' }>
): Promise<Applied | Refusal> {
  const { chat, request } = await memberRequest(context, tx, args.chatId);
  if (request.revokedAt !== null) return { changes: [] };
  const { now } = context;
  await tx
    .update(messageRequests)
    .set({ tokenHash: null, revokedAt: now })
    .where(eq(messageRequests.chatId, chat.id));
  await recordInvitation(tx, 'invitation.revoked', request.senderId, request, now);
  const left =
    request.recipientId === null
      ? []
      : await tx
          .update(chatMembers)
          .set({ leftAt: now })
          .where(
            and(
              eq(chatMembers.chatId, chat.id),
              eq(chatMembers.userId, request.recipientId),
              isNull(chatMembers.leftAt)
            )
          )
          .returning({ userId: chatMembers.userId });
  return {
    changes: await chatChanges(
      tx,
      chat.id,
      left.map((row) => row.userId)
    )
  };
}
