// An organization's block lists, for the rules of the sync engine to call in their own
// transaction (no cache: every call reads the database). What the switches mean for one member
// is `organizationFor` in ../external/policy.ts.
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';

/** Someone as an organization's block lists see them. */
export type BlockablePerson = {
  userId: string | null;
  /** `Address.key` of each of their addresses. */
  addressKeys: string[];
  /** Their email's domain, ASCII form (`emailDomain`). */
  emailDomain: string | null;
};

/** An account as the block lists see it: blocking any one of its addresses blocks the person. */
export function blockableAccount(user: {
  id: string;
  emailKey: string | null;
  phone: string | null;
}): BlockablePerson {
  return {
    userId: user.id,
    addressKeys: [user.emailKey, user.phone].filter((key) => key !== null),
    emailDomain:
      user.emailKey === null ? null : user.emailKey.slice(user.emailKey.lastIndexOf('@') + 1)
  };
}

/** Whom a request was sent to: the account it reached, if any, and the address typed. */
export function requestTarget(request: {
  recipientId: string | null;
  addressKey: string;
}): BlockablePerson {
  const at = request.addressKey.lastIndexOf('@');
  return {
    userId: request.recipientId,
    addressKeys: [request.addressKey],
    emailDomain: at < 0 ? null : request.addressKey.slice(at + 1)
  };
}

/** Whether the organization of `senderId` (if any) blocked whom the request was sent to. */
export async function senderOrganizationBlocked(
  db: Db,
  senderOrganizationId: string | null,
  request: { recipientId: string | null; addressKey: string }
): Promise<boolean> {
  return (
    senderOrganizationId !== null &&
    blockedByOrganization(db, senderOrganizationId, requestTarget(request))
  );
}

/** The organization of the user with this id (null: a personal account). */
export async function organizationIdOf(db: Db, userId: string): Promise<string | null> {
  const { users } = tables;
  const [user] = await db
    .select({ organizationId: users.organizationId })
    .from(users)
    .where(eq(users.id, userId));
  return user?.organizationId ?? null;
}

/** `blockableAccount` of the user with this id. */
export async function blockableUser(db: Db, userId: string): Promise<BlockablePerson> {
  const { users } = tables;
  const [user] = await db
    .select({ id: users.id, emailKey: users.emailKey, phone: users.phone })
    .from(users)
    .where(eq(users.id, userId));
  return user ? blockableAccount(user) : { userId, addressKeys: [], emailDomain: null };
}

/**
 * Whether the organization blocked this person (or any of these people): their account, one of
 * their addresses, or their email's domain. Two queries, however many people.
 */
export async function blockedByOrganization(
  db: Db,
  organizationId: string,
  who: BlockablePerson | BlockablePerson[]
): Promise<boolean> {
  const people = Array.isArray(who) ? who : [who];
  const { blockedAddresses: a, blockedDomains: d } = tables;
  const userIds = people.flatMap((person) => (person.userId === null ? [] : [person.userId]));
  const addressKeys = people.flatMap((person) => person.addressKeys);
  const byAddress = [
    userIds.length > 0 ? inArray(a.userId, userIds) : undefined,
    addressKeys.length > 0 ? inArray(a.addressKey, addressKeys) : undefined
  ].filter((condition) => condition !== undefined);
  if (byAddress.length > 0) {
    const [row] = await db
      .select({ key: a.addressKey })
      .from(a)
      .where(and(eq(a.organizationId, organizationId), or(...byAddress)))
      .limit(1);
    if (row) return true;
  }
  const domains = people.flatMap((person) =>
    person.emailDomain === null ? [] : [person.emailDomain.toLowerCase()]
  );
  if (domains.length === 0) return false;
  const [row] = await db
    .select({ domain: d.domain })
    .from(d)
    .where(and(eq(d.organizationId, organizationId), inArray(d.domain, domains)))
    .limit(1);
  return row !== undefined;
}

/**
 * A blocked person leaves every chat that has a current member of the organization. The
 * caller records the `chat` changes (the person included, so their devices learn it).
 */
export async function removeBlockedPersonFromChats(
  tx: Db,
  organizationId: string,
  userId: string,
  now: Date
): Promise<{ chatIds: string[] }> {
  const { chatMembers: m, users: u } = tables;
  const ours = tx
    .select({ chatId: m.chatId })
    .from(m)
    .innerJoin(u, eq(u.id, m.userId))
    .where(and(eq(u.organizationId, organizationId), isNull(m.leftAt)));
  const left = await tx
    .update(m)
    .set({ leftAt: now })
    .where(and(eq(m.userId, userId), isNull(m.leftAt), sql`${m.chatId} in (${ours})`))
    .returning({ chatId: m.chatId });
  return { chatIds: left.map((row) => row.chatId).sort() };
}
