// Who may reach whom across an organization's border: organization policy, blocks, accepted
// contacts, the pre-acceptance cap and the SMS country list. Reads only; no HTTP, no sync.
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { DEFAULT_REQUEST_CAP } from '../../../src/lib/sync/protocol.ts';
import { tables, type Db } from '../../store/index.ts';

export type OrganizationRow = typeof tables.organizations.$inferSelect;

/** A setting that is there and off (null: no organization, so no such setting). */
export function isOff(setting: boolean | null | undefined): boolean {
  return setting === false;
}

/** A boolean as an SQL literal, which both engines accept (used by the admin settings). */
export function sqlBoolean(value: boolean): SQL {
  return value ? sql`true` : sql`false`;
}

/** SMS goes to these regions when an organization has not chosen its own: EU/EEA, CH, GB, US, CA. */
export const DEFAULT_SMS_COUNTRIES: readonly string[] = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
  'CH',
  'GB',
  'US',
  'CA'
];

/** Whether an invitation may be texted to `country` (undefined: a non-geographic number, never). */
export function smsCountryAllowed(
  organization: Pick<OrganizationRow, 'smsCountries'> | null,
  country: string | undefined
): boolean {
  if (country === undefined) return false;
  return (organization?.smsCountries ?? DEFAULT_SMS_COUNTRIES).includes(country);
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

/** Whether either of the two blocked the other. */
export async function blockedEitherWay(tx: Db, a: string, b: string): Promise<boolean> {
  const { userBlocks } = tables;
  const [row] = await tx
    .select({ blocker: userBlocks.blockerId })
    .from(userBlocks)
    .where(
      or(
        and(eq(userBlocks.blockerId, a), eq(userBlocks.blockedId, b)),
        and(eq(userBlocks.blockerId, b), eq(userBlocks.blockedId, a))
      )
    )
    .limit(1);
  return row !== undefined;
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

/** The organization of a managed user (null for personal users and unknown ids). */
export async function organizationOf(
  db: Db,
  organizationId: string | null
): Promise<OrganizationRow | null> {
  if (organizationId === null) return null;
  const { organizations } = tables;
  const [row] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .limit(1);
  return row ?? null;
}

export type Reachability =
  | { ok: true }
  | { ok: false; reason: 'user_not_found' | 'recipient_unavailable' | 'policy_outbound_disabled' };

/**
 * Whether `actor` may put `people` in a chat (create, add): colleagues of their organization,
 * or accepted contacts whose organization keeps inbound chat open, while the actor's
 * organization keeps outbound chat open. Unknown ids are `user_not_found`.
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
      organizationId: users.organizationId,
      inbound: organizations.inboundExternal
    })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(inArray(users.id, people));
  if (found.length !== new Set(people).size) return { ok: false, reason: 'user_not_found' };
  const outside = found.filter((u) => areExternal(actor.organizationId, u.organizationId));
  if (outside.length === 0) return { ok: true };
  if (actorOrganization && !actorOrganization.outboundExternal) {
    return { ok: false, reason: 'policy_outbound_disabled' };
  }
  // Who is an accepted contact is nobody else's business: every other refusal looks the same.
  const contacts = await acceptedContacts(
    tx,
    actor.id,
    outside.map((u) => u.id)
  );
  const unavailable = outside.some((u) => !contacts.has(u.id) || isOff(u.inbound));
  return unavailable ? { ok: false, reason: 'recipient_unavailable' } : { ok: true };
}
