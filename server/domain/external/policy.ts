// Who may reach whom across an organization's border: organization policy, blocks, accepted
// contacts, the pre-acceptance cap and the SMS country list. Reads only; no HTTP, no sync.
import { and, desc, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { DEFAULT_REQUEST_CAP, type ReadOnlyReason } from '../../../common/protocol.ts';
import { tables, type Db } from '../../store/index.ts';
import type { OrganizationRow } from '../../store/schema.ts';
import { blockableAccount, blockedByOrganization } from '../admin/policy.ts';

/** A setting that is there and off (null: no organization, so no such setting). */
export function isOff(setting: boolean | null | undefined): boolean {
  return setting === false;
}

/**
 * A member's outbound or inbound setting: their own when an admin set one, else their
 * organization's; open for personal accounts (no organization, no such setting).
 */
export function effectiveSetting(
  override: boolean | null | undefined,
  organizationSetting: boolean | null | undefined
): boolean {
  return override ?? organizationSetting ?? true;
}

/**
 * Whether an invitation may be texted to `country` (undefined: a non-geographic number, never):
 * on the server's list, and on the sender's organization's own list if it has one.
 */
export function smsCountryAllowed(
  server: readonly string[],
  organization: Pick<OrganizationRow, 'smsCountries'> | null,
  country: string | undefined
): boolean {
  if (country === undefined || !server.includes(country)) return false;
  return (organization?.smsCountries ?? server).includes(country);
}

/** Messages a sender may send before acceptance: their organization's setting, 10 for personal. */
export function requestCap(organization: Pick<OrganizationRow, 'requestCap'> | null): number {
  const cap = organization?.requestCap ?? DEFAULT_REQUEST_CAP;
  return Math.min(DEFAULT_REQUEST_CAP, Math.max(1, cap));
}

/** A personal account (null) is external to everyone; managed users to other organizations. */
export function areExternal(a: string | null, b: string | null): boolean {
  return a === null || b === null || a !== b;
}

/** Whether `blocker` blocked `blocked`. */
export async function hasBlocked(tx: Db, blocker: string, blocked: string): Promise<boolean> {
  const { userBlocks } = tables;
  const [row] = await tx
    .select({ blocker: userBlocks.blockerId })
    .from(userBlocks)
    .where(and(eq(userBlocks.blockerId, blocker), eq(userBlocks.blockedId, blocked)))
    .limit(1);
  return row !== undefined;
}

/**
 * Whether `recipient` declined a request from `sender` and has not written to them since
 * (PRODUCT.md, Declining): a message of theirs, later than their last decline, in a chat the
 * two share. While it holds, the sender's new requests to them (at any of their addresses) are
 * suppressed: recorded, never delivered, never told to the sender.
 */
export async function declinedWithoutReply(
  tx: Db,
  recipient: string,
  sender: string
): Promise<boolean> {
  const { messageRequests: r, messages, chatMembers } = tables;
  const [declined] = await tx
    .select({ at: r.respondedAt })
    .from(r)
    .where(and(eq(r.senderId, sender), eq(r.recipientId, recipient), eq(r.status, 'declined')))
    .orderBy(desc(r.respondedAt))
    .limit(1);
  if (!declined?.at) return false;
  const chatsOf = (userId: string) =>
    tx
      .select({ chatId: chatMembers.chatId })
      .from(chatMembers)
      .where(and(eq(chatMembers.userId, userId), isNull(chatMembers.leftAt)));
  const [reply] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        inArray(messages.chatId, chatsOf(sender)),
        inArray(messages.chatId, chatsOf(recipient)),
        eq(messages.authorId, recipient),
        gt(messages.createdAt, declined.at)
      )
    )
    .limit(1);
  return reply === undefined;
}

/**
 * The people among `candidates` with whom `userId` has an accepted request (either direction)
 * and no block either way. Pass no candidates for all of them.
 */
export async function acceptedContacts(
  db: Db,
  userId: string,
  candidates?: string[]
): Promise<Set<string>> {
  const { messageRequests: r, userBlocks: b } = tables;
  if (candidates?.length === 0) return new Set();
  const rows = await db
    .select({ senderId: r.senderId, recipientId: r.recipientId })
    .from(r)
    .where(
      and(
        eq(r.status, 'accepted'),
        or(
          and(eq(r.senderId, userId), candidates ? inArray(r.recipientId, candidates) : undefined),
          and(eq(r.recipientId, userId), candidates ? inArray(r.senderId, candidates) : undefined)
        )
      )
    );
  const contacts = new Set<string>();
  for (const row of rows) {
    const other = row.senderId === userId ? row.recipientId : row.senderId;
    if (other !== null && other !== userId) contacts.add(other);
  }
  if (contacts.size === 0) return contacts;
  const blocks = await db
    .select({ blocker: b.blockerId, blocked: b.blockedId })
    .from(b)
    .where(
      or(
        and(eq(b.blockerId, userId), inArray(b.blockedId, [...contacts])),
        and(eq(b.blockedId, userId), inArray(b.blockerId, [...contacts]))
      )
    );
  for (const block of blocks) {
    contacts.delete(block.blocker === userId ? block.blocked : block.blocker);
  }
  return contacts;
}

/**
 * The user's organization as its settings apply to them: their own outbound and inbound
 * overrides in place of the organization's (null for personal users). Read in the caller's
 * transaction, never cached, so that a change applies to the very next mutation.
 */
export async function organizationFor(db: Db, userId: string): Promise<OrganizationRow | null> {
  const { users, organizations } = tables;
  const [row] = await db
    .select({
      organization: organizations,
      outboundOverride: users.outboundOverride,
      inboundOverride: users.inboundOverride
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) return null;
  const { organization } = row;
  return {
    ...organization,
    outboundExternal: effectiveSetting(row.outboundOverride, organization.outboundExternal),
    inboundExternal: effectiveSetting(row.inboundOverride, organization.inboundExternal)
  };
}

/**
 * Whether `userId` may have chats with people outside their organization now: their own
 * outbound override if an admin set one, else their organization's setting; always for
 * personal accounts. Read in the caller's transaction, so a switch applies to the very next
 * lookup. The one answer for every pending invitation and request of theirs: while it is
 * false their links are dead and their requests cannot be accepted.
 */
export async function outboundOpen(db: Db, userId: string): Promise<boolean> {
  return !isOff((await organizationFor(db, userId))?.outboundExternal);
}

export type Reachability =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'user_not_found'
        | 'recipient_unavailable'
        | 'policy_outbound_disabled'
        | 'policy_blocked_by_organization';
    };

/**
 * Whether `actor` may put `people` in a chat (create, add): colleagues of their organization,
 * or accepted contacts whose inbound chat is open and whose organization did not block the
 * actor, while the actor's outbound chat is open and their organization did not block them.
 * `actorOrganization` is `organizationFor(actor)`. Unknown ids are `user_not_found`.
 */
export async function mayReach(
  tx: Db,
  actor: { id: string; organizationId: string | null },
  actorOrganization: OrganizationRow | null,
  people: string[]
): Promise<Reachability> {
  if (people.length === 0) return { ok: true };
  const { users, organizations } = tables;
  const found = await tx
    .select({
      id: users.id,
      emailKey: users.emailKey,
      phone: users.phone,
      organizationId: users.organizationId,
      inboundOverride: users.inboundOverride,
      inbound: organizations.inboundExternal,
      removedAt: users.removedAt
    })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(inArray(users.id, [...people, actor.id]));
  const self = found.find((u) => u.id === actor.id);
  const others = found.filter((u) => u.id !== actor.id);
  const wanted = new Set(people.filter((id) => id !== actor.id));
  // A removed member is nobody to put in a chat.
  if (!self || others.length !== wanted.size || others.some((u) => u.removedAt !== null)) {
    return { ok: false, reason: 'user_not_found' };
  }
  const outside = others.filter((u) => areExternal(actor.organizationId, u.organizationId));
  if (outside.length === 0) return { ok: true };
  if (actorOrganization && !actorOrganization.outboundExternal) {
    return { ok: false, reason: 'policy_outbound_disabled' };
  }
  if (
    actorOrganization &&
    (await blockedByOrganization(tx, actorOrganization.id, outside.map(blockableAccount)))
  ) {
    return { ok: false, reason: 'policy_blocked_by_organization' };
  }
  // Who is an accepted contact is nobody else's business: every other refusal looks the same.
  const contacts = await acceptedContacts(
    tx,
    actor.id,
    outside.map((u) => u.id)
  );
  const closed = outside.some(
    (person) =>
      !contacts.has(person.id) || !effectiveSetting(person.inboundOverride, person.inbound)
  );
  if (closed) return { ok: false, reason: 'recipient_unavailable' };
  const theirOrganizations = new Set(
    outside.flatMap((p) => (p.organizationId ? [p.organizationId] : []))
  );
  for (const organizationId of theirOrganizations) {
    if (await blockedByOrganization(tx, organizationId, blockableAccount(self))) {
      return { ok: false, reason: 'recipient_unavailable' };
    }
  }
  return { ok: true };
}

/** Whether an organization of a current member (other than the actor's) blocked a newcomer. */
export async function blockedByMembersOrganizations(
  tx: Db,
  members: { organizationId: string | null }[],
  newcomers: string[]
): Promise<boolean> {
  const organizations = new Set(
    members.flatMap((m) => (m.organizationId ? [m.organizationId] : []))
  );
  if (organizations.size === 0 || newcomers.length === 0) return false;
  const { users } = tables;
  const people = await tx
    .select({
      id: users.id,
      emailKey: users.emailKey,
      phone: users.phone,
      organizationId: users.organizationId
    })
    .from(users)
    .where(inArray(users.id, newcomers));
  for (const organizationId of organizations) {
    // An organization blocks only people outside it.
    const outsiders = people.filter((person) => person.organizationId !== organizationId);
    if (await blockedByOrganization(tx, organizationId, outsiders.map(blockableAccount))) {
      return true;
    }
  }
  return false;
}

/** A membership row as the read-only rule needs it. */
export type PolicyMember = {
  userId: string;
  organizationId: string | null;
  /** Their effective outbound setting (`effectiveSetting`); true for personal accounts. */
  outboundOpen: boolean;
  leftAt: Date | null;
};

/** A member whose outbound chat is off, with someone outside their organization among `current`. */
function closesOutbound(
  member: Omit<PolicyMember, 'leftAt'>,
  current: Omit<PolicyMember, 'leftAt'>[]
) {
  return (
    member.organizationId !== null &&
    !member.outboundOpen &&
    current.some((other) => areExternal(member.organizationId, other.organizationId))
  );
}

/**
 * Why nobody may write in a chat any more (docs/administration.md), from all of its membership
 * rows and its request: a current member whose outbound chat is off shares it with someone
 * outside their organization (or is the sender of a request not yet accepted), which closes it
 * for both sides; or the other person of a 1:1 chat was taken out of it, which only an
 * organization's block does.
 */
export function readOnlyReason(
  chat: { kind: 'direct' | 'group' },
  rows: PolicyMember[],
  request: { senderId: string; status: string } | null
): ReadOnlyReason | null {
  const current = rows.filter((row) => row.leftAt === null);
  const pending = request !== null && request.status !== 'accepted';
  if (pending) {
    // Before acceptance only the sender's own setting counts: nothing of the recipient may show.
    const sender = current.find((row) => row.userId === request.senderId);
    return sender && sender.organizationId !== null && !sender.outboundOpen
      ? 'policy_outbound_disabled'
      : null;
  }
  if (current.some((member) => closesOutbound(member, current))) return 'policy_outbound_disabled';
  if (chat.kind === 'direct' && rows.some((row) => row.leftAt !== null)) {
    return 'policy_blocked_by_organization';
  }
  return null;
}

/**
 * Why `actorId` may not write in an accepted or internal chat now: their own outbound chat is
 * off and someone outside is there (`policy_outbound_disabled`), another member's is
 * (`chat_read_only`, for both sides), or the other person of a 1:1 chat was blocked out of it.
 * `members` are the current ones, as the sync engine loaded them in this transaction.
 */
export function writeClosedReason(
  chat: { kind: 'direct' | 'group' },
  members: Omit<PolicyMember, 'leftAt'>[],
  actorId: string
): 'policy_outbound_disabled' | 'chat_read_only' | 'policy_blocked_by_organization' | null {
  if (chat.kind === 'direct' && members.length < 2) return 'policy_blocked_by_organization';
  const actor = members.find((member) => member.userId === actorId);
  if (actor && closesOutbound(actor, members)) return 'policy_outbound_disabled';
  return members.some((member) => closesOutbound(member, members)) ? 'chat_read_only' : null;
}
