// The join and refuse links of an invitation (docs/external-contacts.md, The invitation): what
// the join page shows, joining (signing in or creating the account on the way), and refusing
// further invitations from the sender. Each link works once; every dead link answers the same.
import { and, eq, isNull, not } from 'drizzle-orm';
import { maskAddress, parseAddress, type Address } from '../../../common/address.ts';
import { tables, type Db, type Store } from '../../store/index.ts';
import type { Channel, Locale, MessageRequestRow, UserRow } from '../../store/schema.ts';
import {
  attachPendingRequests,
  createAccount,
  findAccount,
  organizationOfEmail,
  type Account
} from '../accounts.ts';
import {
  blockableUser,
  blockedByOrganization,
  organizationIdOf,
  senderOrganizationBlocked
} from '../admin/policy.ts';
import { withEffects, type EffectPorts } from '../effects.ts';
import { DomainError } from '../errors.ts';
import { sanitizeDisplayName } from '../names.ts';
import { hitRateLimits, type Limit } from '../rate-limit.ts';
import { createSession, type SignedIn } from '../sessions.ts';
import { chatChanges, recordChanges } from '../sync/changes.ts';
import { leaveChat } from '../sync/membership.ts';
import { moveCapCountsToAccount } from './cap.ts';
import { hashInvitationToken } from './invitations.ts';
import { effectiveSetting, hasBlocked, outboundOpen } from './policy.ts';

/** The links are opened by people who may have no account: limited per IP like sign-in. */
export const LINK_LIMIT_PER_IP: Limit = { max: 30, windowMs: 15 * 60 * 1000 };

/** Unknown, used, revoked, superseded and expired links all get this one answer. */
const invalidInvitation = () =>
  new DomainError(
    'invitation_invalid',
    'This invitation link is not valid any more. Ask the person who invited you to send a new one.'
  );

export async function countLinkUse(store: Store, ip: string, now: Date): Promise<void> {
  const decision = await hitRateLimits(
    store,
    [{ key: `invitation-link:ip:${ip}`, limit: LINK_LIMIT_PER_IP }],
    now
  );
  if (!decision.allowed) {
    throw new DomainError(
      'rate_limited',
      'Too many attempts. Try again later.',
      undefined,
      decision.retryAfterSeconds
    );
  }
}

/** The live request behind a token, or the one answer for every dead link. */
async function liveRequest(db: Db, token: string, now: Date): Promise<MessageRequestRow> {
  const { messageRequests: r } = tables;
  const [row] = await db
    .select()
    .from(r)
    .where(eq(r.tokenHash, hashInvitationToken(token)))
    .limit(1);
  if (
    !row ||
    row.revokedAt !== null ||
    row.status !== 'pending' ||
    row.expiresAt.getTime() <= now.getTime() ||
    // So is a link whose sender may not chat with outsiders now (it lives again if they may).
    !(await outboundOpen(db, row.senderId)) ||
    // A link sent before the sender's organization blocked this address or domain is dead too.
    (await senderOrganizationBlocked(db, await organizationIdOf(db, row.senderId), row))
  ) {
    throw invalidInvitation();
  }
  return row;
}

/** Whether the user holds the invited address (verified email or phone). */
function holdsAddress(user: UserRow, addressKey: string): boolean {
  return user.emailKey === addressKey || user.phone === addressKey;
}

function storedAddress(row: MessageRequestRow): Address | null {
  const parsed = parseAddress(row.address, undefined);
  return parsed.ok ? parsed.address : null;
}

export type InvitationPreview = {
  sender: { name: string; organization: string | null };
  address: string;
  channel: Channel;
  expiresAt: string;
  signedInAs: { matches: boolean } | null;
};

/** What the join page shows before anything is done: who invites, to which (masked) address. */
export async function previewInvitation(
  store: Store,
  input: { token: string; signedIn: SignedIn | null; now: Date }
): Promise<InvitationPreview> {
  return store.read(async (db) => {
    const row = await liveRequest(db, input.token, input.now);
    const { users, organizations } = tables;
    const [sender] = await db
      .select({ name: users.name, organization: organizations.name })
      .from(users)
      .leftJoin(organizations, eq(organizations.id, users.organizationId))
      .where(eq(users.id, row.senderId))
      .limit(1);
    if (!sender) throw invalidInvitation();
    const address = storedAddress(row);
    return {
      sender: { name: sanitizeDisplayName(sender.name), organization: sender.organization },
      address: address ? maskAddress(address) : '\u2022\u2022\u2022\u2022',
      channel: row.channel,
      expiresAt: row.expiresAt.toISOString(),
      signedInAs: input.signedIn
        ? { matches: holdsAddress(input.signedIn.user, row.addressKey) }
        : null
    };
  });
}

export type AcceptResult = {
  chatId: string;
  /** Set when the link signed the person in (or created their account). */
  signedIn: (Account & { sessionToken: string }) | null;
};

const unavailable = (message: string) => new DomainError('invitation_unavailable', message);

/**
 * Opens the invitation's chat for the person holding the link. Signed out, the link proves
 * control of the address: it signs in the account holding it, or creates a personal (or, on a
 * verified domain, managed) account — `name_required` until a name is given, the token kept.
 * Signed in, the account must hold the invited address (`invitation_address_mismatch`,
 * nothing changes). Single use: the token is claimed by a conditional update, so two
 * concurrent accepts cannot both win.
 */
export async function acceptInvitation(
  ports: EffectPorts,
  input: {
    token: string;
    name: string | undefined;
    locale: Locale;
    signedIn: SignedIn | null;
    now: Date;
  }
): Promise<AcceptResult> {
  const { now } = input;
  const { messageRequests: r, chatMembers } = tables;
  return withEffects(ports, async (tx, effects): Promise<AcceptResult> => {
    const row = await liveRequest(tx, input.token, now);
    const address = storedAddress(row);
    if (!address) throw invalidInvitation();

    let account: Account | null;
    if (input.signedIn) {
      if (!holdsAddress(input.signedIn.user, row.addressKey)) {
        throw new DomainError(
          'invitation_address_mismatch',
          'This invitation was sent to another address. Sign in with the address it was sent to.'
        );
      }
      account = { user: input.signedIn.user, organization: input.signedIn.organization };
    } else {
      account = await findAccount(tx, address);
      // A removed member's address no longer signs in, by a link either.
      if (account && account.user.removedAt !== null) throw invalidInvitation();
    }
    const organization = account ? account.organization : await organizationOfEmail(tx, address);
    // The click is consent to this chat even with requests switched off; it does not undo a
    // block, nor the organization's closed door.
    if (
      organization &&
      (!effectiveSetting(account?.user.inboundOverride, organization.inboundExternal) ||
        (await blockedByOrganization(tx, organization.id, await blockableUser(tx, row.senderId))))
    ) {
      throw unavailable('Your organization does not accept chats from this person.');
    }
    // The account may hold the address under a block that names the person, not the address.
    const target = { recipientId: account?.user.id ?? null, addressKey: row.addressKey };
    if (await senderOrganizationBlocked(tx, await organizationIdOf(tx, row.senderId), target)) {
      throw invalidInvitation();
    }
    if (account && (await hasBlocked(tx, account.user.id, row.senderId))) {
      throw unavailable('You blocked this person. Unblock them to join this chat.');
    }
    const name = input.name?.trim();
    if (!account && !name) {
      throw new DomainError('name_required', 'Enter your name to create your account and join.');
    }

    const [claimed] = await tx
      .update(r)
      .set({ tokenHash: null })
      .where(and(eq(r.chatId, row.chatId), eq(r.tokenHash, row.tokenHash ?? '')))
      .returning({ chatId: r.chatId });
    if (!claimed) throw invalidInvitation();

    let created: Account | null = null;
    if (!account) {
      account = created = await createAccount(tx, address, name ?? '', input.locale, now);
    }
    const userId = account.user.id;
    if (userId === row.senderId) throw invalidInvitation();
    await tx
      .update(r)
      .set({ recipientId: userId, suppressed: false })
      .where(and(eq(r.chatId, row.chatId), isNull(r.revokedAt)));
    if (row.recipientId === null) {
      await moveCapCountsToAccount(tx, row.addressKey, userId, [row.senderId]);
    }
    await tx
      .insert(chatMembers)
      .values({ chatId: row.chatId, userId, joinedAt: now })
      .onConflictDoUpdate({
        target: [chatMembers.chatId, chatMembers.userId],
        set: { leftAt: null }
      });
    effects.announce(await recordChanges(tx, await chatChanges(tx, row.chatId), now));
    if (created) {
      // Other requests to the same address reach the new account too.
      effects.announce(await attachPendingRequests(tx, created, address, now));
    }
    const sessionToken = input.signedIn ? null : await createSession(tx, userId, now);
    return {
      chatId: row.chatId,
      signedIn: sessionToken === null ? null : { ...account, sessionToken }
    };
  });
}

/**
 * "Refuse invitations from this sender": recorded for the address, so that later requests from
 * the sender to it are suppressed; this request and any other pending one between them stop
 * reaching the address (the sender is not told). If the address's account already sees the
 * request (it signed up meanwhile), the chat leaves that account's devices.
 */
export async function refuseInvitation(
  ports: EffectPorts,
  input: { token: string; now: Date }
): Promise<void> {
  const { now } = input;
  const { messageRequests: r, invitationRefusals } = tables;
  await withEffects(ports, async (tx, effects) => {
    const row = await liveRequest(tx, input.token, now);
    const [claimed] = await tx
      .update(r)
      .set({ tokenHash: null, suppressed: true })
      .where(and(eq(r.chatId, row.chatId), eq(r.tokenHash, row.tokenHash ?? '')))
      .returning({ chatId: r.chatId });
    if (!claimed) throw invalidInvitation();
    await tx
      .insert(invitationRefusals)
      .values({ addressKey: row.addressKey, senderId: row.senderId, createdAt: now })
      .onConflictDoNothing();
    const others = await tx
      .update(r)
      .set({ tokenHash: null, suppressed: true })
      .where(
        and(
          eq(r.senderId, row.senderId),
          eq(r.addressKey, row.addressKey),
          eq(r.status, 'pending'),
          not(r.suppressed)
        )
      )
      .returning({ chatId: r.chatId, recipientId: r.recipientId });
    const changes = [];
    for (const request of [{ chatId: row.chatId, recipientId: row.recipientId }, ...others]) {
      if (request.recipientId === null) continue;
      if (await leaveChat(tx, request.chatId, request.recipientId, now)) {
        changes.push(...(await chatChanges(tx, request.chatId, [], [request.recipientId])));
      }
    }
    effects.announce(await recordChanges(tx, changes, now));
  });
}
