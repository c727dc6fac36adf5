// Where a request to an address goes and what reaches the recipient (docs/external-contacts.md,
// Same work for every address): the sender as a stranger sees them, the delivery decided with
// every lookup run whatever the address, and the email or SMS. Used by starting an external
// chat (start-external.ts) and by resending an invitation (invitation-control.ts).
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Address } from '../../../common/address.ts';
import { tables, type Db } from '../../store/index.ts';
import type { Locale, OrganizationRow } from '../../store/schema.ts';
import type { Account } from '../accounts.ts';
import { blockableAccount, blockedByOrganization } from '../admin/policy.ts';
import type { MutationContext } from '../sync/context.ts';
import { invitationMessage } from './invitations.ts';
import { declinedWithoutReply, effectiveSetting, hasBlocked, isOff } from './policy.ts';

const { chatMembers, invitationRefusals, users } = tables;

export type Sender = {
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

export async function senderOf(tx: Db, userId: string): Promise<Sender> {
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

export type Delivery = {
  /** The account behind the address, if any (recorded even when nothing reaches it). */
  recipient: { id: string; locale: Locale | null } | null;
  send: 'request' | 'invitation' | null;
};

/**
 * An id no account or organization has: a lookup for it runs as for anyone and finds nothing,
 * so that an address with no account costs the same lookups as one with an account.
 */
export const NOBODY = '';

/**
 * Where a request to `address` goes. Blocks (the recipient's or their organization's), a
 * decline the recipient has not since answered by writing, refusals, closed inbound chat and
 * personal senders with no account on the other side all come out as "nothing": never told to
 * the sender. Every lookup runs, and all of them before anything is decided, whatever the
 * address turns out to be: the answer's time must not tell (docs/external-contacts.md, Same
 * work for every address). `domainOrganization` is `organizationOfEmail(address)`.
 */
export async function resolveDelivery(
  tx: Db,
  sender: Sender,
  address: Address,
  account: Account | null,
  domainOrganization: OrganizationRow | null
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
export function deliveryMessage(
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
export async function deliverAgain(
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
