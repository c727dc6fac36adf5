// What an organization's admin settings mean for one member, and the organization's block
// lists, for the rules of the sync engine to call in their own transaction (no cache: every
// call reads the database).
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';

export type MemberPolicy = {
  outbound: boolean;
  inbound: boolean;
  requestCap: number;
  /** null: the built-in list (`DEFAULT_SMS_COUNTRIES`). */
  smsCountries: string[] | null;
  /** A missing field: the server's limit. */
  invitationLimits: { perSenderHour?: number; perOrganizationDay?: number };
};

/** The effective policy of a managed user (override, else the organization's); null if personal. */
export async function memberPolicy(
  db: Db,
  user: {
    organizationId: string | null;
    outboundOverride: boolean | null;
    inboundOverride: boolean | null;
  }
): Promise<MemberPolicy | null> {
  if (user.organizationId === null) return null;
  const { organizations } = tables;
  const [organization] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.id, user.organizationId))
    .limit(1);
  if (!organization) return null;
  return {
    // Boolean(): SQLite reads booleans back as 0 and 1.
    outbound: Boolean(user.outboundOverride ?? organization.outboundExternal),
    inbound: Boolean(user.inboundOverride ?? organization.inboundExternal),
    requestCap: organization.requestCap,
    smsCountries: organization.smsCountries ?? null,
    invitationLimits: { ...organization.invitationLimits }
  };
}

/**
 * Whether the organization blocked this person: their account, one of their addresses
 * (`Address.key`), or their email's domain (ASCII form, `emailDomain`).
 */
export async function blockedByOrganization(
  db: Db,
  organizationId: string,
  person: { userId: string | null; addressKeys: string[]; emailDomain: string | null }
): Promise<boolean> {
  const { blockedAddresses: a, blockedDomains: d } = tables;
  const byAddress = [
    person.userId !== null ? eq(a.userId, person.userId) : undefined,
    person.addressKeys.length > 0 ? inArray(a.addressKey, person.addressKeys) : undefined
  ].filter((condition) => condition !== undefined);
  if (byAddress.length > 0) {
    const [row] = await db
      .select({ key: a.addressKey })
      .from(a)
      .where(and(eq(a.organizationId, organizationId), or(...byAddress)))
      .limit(1);
    if (row) return true;
  }
  if (person.emailDomain === null) return false;
  const [row] = await db
    .select({ domain: d.domain })
    .from(d)
    .where(
      and(eq(d.organizationId, organizationId), eq(d.domain, person.emailDomain.toLowerCase()))
    )
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
