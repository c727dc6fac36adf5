// Email domains and external people an organization's admins blocked. A blocked person leaves
// the organization's chats at once; the rules keep them out afterwards (policy.ts).
import { and, asc, eq, inArray, like } from 'drizzle-orm';
import { emailDomain, parseEmail } from '../../../common/address.ts';
import { tables, type Db } from '../../store/index.ts';
import { findAccount, readAddress } from '../accounts.ts';
import { DomainError } from '../errors.ts';
import { recordAudit } from '../audit.ts';
import { chatChanges, recordChanges, type ChangeNotice, type NewChange } from '../sync/changes.ts';
import type { Admin } from './access.ts';
import { hideRequest } from './effects.ts';
import { removeBlockedPersonFromChats } from './policy.ts';

type By = { id: string; name: string } | null;
export type BlockedDomain = { domain: string; by: By; at: string };
export type BlockedAddress = { address: string; name: string | null; by: By; at: string };
export type BlockedLists = { domains: BlockedDomain[]; addresses: BlockedAddress[] };

/**
 * The ASCII, lowercase form of a domain typed by an admin ("@Exämple.org" → "xn--exmple-cua.org"),
 * by the same IDNA rules as email addresses, so that it matches `emailDomain` of any address.
 */
export function normaliseDomain(input: string): string | null {
  const text = input.trim().replace(/^@/, '');
  if (text.length === 0 || text.includes('@')) return null;
  const parsed = parseEmail(`x@${text}`);
  return parsed.ok ? emailDomain(parsed.address) : null;
}

function readDomain(input: string): string {
  const domain = normaliseDomain(input);
  if (domain === null) {
    throw new DomainError('invalid_domain', 'Enter a domain name such as example.com.');
  }
  return domain;
}

export async function listBlocked(db: Db, organizationId: string): Promise<BlockedLists> {
  const { blockedDomains: d, blockedAddresses: a, users } = tables;
  const domains = await db
    .select({ domain: d.domain, createdBy: d.createdBy, at: d.createdAt })
    .from(d)
    .where(eq(d.organizationId, organizationId))
    .orderBy(asc(d.domain));
  const addresses = await db
    .select({ address: a.address, name: users.name, createdBy: a.createdBy, at: a.createdAt })
    .from(a)
    .leftJoin(users, eq(users.id, a.userId))
    .where(eq(a.organizationId, organizationId))
    .orderBy(asc(a.address));
  const creatorIds = [...domains, ...addresses]
    .map((row) => row.createdBy)
    .filter((id) => id !== null);
  const creators = new Map<string, string>();
  if (creatorIds.length > 0) {
    const rows = await db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(inArray(users.id, [...new Set(creatorIds)]));
    for (const row of rows) creators.set(row.id, row.name);
  }
  const by = (id: string | null): By => {
    const name = id === null ? undefined : creators.get(id);
    return id !== null && name !== undefined ? { id, name } : null;
  };
  return {
    domains: domains.map((row) => ({
      domain: row.domain,
      by: by(row.createdBy),
      at: row.at.toISOString()
    })),
    addresses: addresses.map((row) => ({
      address: row.address,
      name: row.name,
      by: by(row.createdBy),
      at: row.at.toISOString()
    }))
  };
}

async function isOwnDomain(db: Db, organizationId: string, domain: string): Promise<boolean> {
  const { organizationDomains } = tables;
  const [row] = await db
    .select({ domain: organizationDomains.domain })
    .from(organizationDomains)
    .where(
      and(
        eq(organizationDomains.domain, domain),
        eq(organizationDomains.organizationId, organizationId)
      )
    )
    .limit(1);
  return row !== undefined;
}

const ownDomain = () =>
  new DomainError('own_domain', "This is one of your organization's own domains.");

/**
 * Blocks a domain: everyone with an email on it leaves every chat with a member of the
 * organization (returns the notices to announce after commit). Blocking it again changes and
 * records nothing.
 */
export async function addBlockedDomain(
  tx: Db,
  admin: Admin,
  input: string,
  now: Date
): Promise<ChangeNotice[]> {
  const domain = readDomain(input);
  const organizationId = admin.organization.id;
  if (await isOwnDomain(tx, organizationId, domain)) throw ownDomain();
  const added = await tx
    .insert(tables.blockedDomains)
    .values({ organizationId, domain, createdBy: admin.actor.id, createdAt: now })
    .onConflictDoNothing()
    .returning({ domain: tables.blockedDomains.domain });
  if (added.length === 0) return [];
  await recordAudit(tx, {
    organizationId,
    type: 'blocked.domain_added',
    actor: admin.actor,
    target: domain,
    at: now
  });
  const { users } = tables;
  const onDomain = await tx
    .select({ id: users.id })
    .from(users)
    .where(like(users.emailKey, `%@${domain}`));
  const changes = [];
  for (const { id } of onDomain) changes.push(...(await shutOut(tx, organizationId, id, now)));
  return recordChanges(tx, changes, now);
}

export async function removeBlockedDomain(
  tx: Db,
  admin: Admin,
  input: string,
  now: Date
): Promise<void> {
  const domain = readDomain(input);
  const organizationId = admin.organization.id;
  const { blockedDomains: d } = tables;
  const removed = await tx
    .delete(d)
    .where(and(eq(d.organizationId, organizationId), eq(d.domain, domain)))
    .returning({ domain: d.domain });
  if (removed.length === 0) return;
  await recordAudit(tx, {
    organizationId,
    type: 'blocked.domain_removed',
    actor: admin.actor,
    target: domain,
    at: now
  });
}

/**
 * Blocks an external person by address (read with the organization's region). If an account
 * holds it, that person leaves every chat with a member of the organization; returns the
 * notices to announce after commit.
 */
export async function addBlockedAddress(
  tx: Db,
  admin: Admin,
  input: string,
  now: Date
): Promise<ChangeNotice[]> {
  const organizationId = admin.organization.id;
  const address = readAddress(input, admin.organization.defaultRegion);
  if (address.kind === 'email' && (await isOwnDomain(tx, organizationId, emailDomain(address)))) {
    throw ownDomain();
  }
  const account = await findAccount(tx, address);
  if (account?.user.organizationId === organizationId) {
    throw new DomainError(
      'own_member',
      'This person is a member of your organization. Change their settings under Members instead.'
    );
  }
  const userId = account?.user.id ?? null;
  const added = await tx
    .insert(tables.blockedAddresses)
    .values({
      organizationId,
      addressKey: address.key,
      address: address.value,
      userId,
      createdBy: admin.actor.id,
      createdAt: now
    })
    .onConflictDoNothing()
    .returning({ key: tables.blockedAddresses.addressKey });
  if (added.length === 0) return [];
  await recordAudit(tx, {
    organizationId,
    type: 'blocked.address_added',
    actor: admin.actor,
    targetUserId: userId,
    target: address.value,
    at: now
  });
  if (userId === null) return [];
  return recordChanges(tx, await shutOut(tx, organizationId, userId, now), now);
}

/**
 * Takes a blocked person out of the organization's conversations. Their pending requests to
 * members are hidden from those members first, so that, as for any unavailable address, they
 * see no change there; then they leave every other chat with a member, and are told.
 */
async function shutOut(
  tx: Db,
  organizationId: string,
  userId: string,
  now: Date
): Promise<NewChange[]> {
  const { messageRequests: r, users } = tables;
  const requests = await tx
    .select({ chatId: r.chatId, recipientId: r.recipientId })
    .from(r)
    .innerJoin(users, eq(users.id, r.recipientId))
    .where(
      and(eq(r.senderId, userId), eq(r.status, 'pending'), eq(users.organizationId, organizationId))
    );
  const changes: NewChange[] = [];
  for (const { chatId, recipientId } of requests) {
    if (recipientId !== null) changes.push(...(await hideRequest(tx, chatId, recipientId, now)));
  }
  const { chatIds } = await removeBlockedPersonFromChats(tx, organizationId, userId, now);
  for (const chatId of chatIds) changes.push(...(await chatChanges(tx, chatId, [userId])));
  return changes;
}

/** Unblocks an address; the person does not come back into the chats they left. */
export async function removeBlockedAddress(
  tx: Db,
  admin: Admin,
  input: string,
  now: Date
): Promise<void> {
  const organizationId = admin.organization.id;
  const address = readAddress(input, admin.organization.defaultRegion);
  const { blockedAddresses: a } = tables;
  const removed = await tx
    .delete(a)
    .where(and(eq(a.organizationId, organizationId), eq(a.addressKey, address.key)))
    .returning({ userId: a.userId, address: a.address });
  const [row] = removed;
  if (!row) return;
  await recordAudit(tx, {
    organizationId,
    type: 'blocked.address_removed',
    actor: admin.actor,
    targetUserId: row.userId,
    target: row.address,
    at: now
  });
}
