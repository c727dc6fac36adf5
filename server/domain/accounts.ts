// Accounts: reading a typed address, finding the account that holds it, creating one, and
// handing a new account the requests already sent to its address. Sign-in is in sign-in.ts.
import { randomUUID } from 'node:crypto';
import { and, eq, isNull, not } from 'drizzle-orm';
import { emailDomain, parseAddress, type Address } from '../../common/address.ts';
import { tables, type Db } from '../store/index.ts';
import type { Locale, OrganizationRow, UserRow } from '../store/schema.ts';
import {
  blockableUser,
  blockedByOrganization,
  organizationIdOf,
  senderOrganizationBlocked
} from './admin/policy.ts';
import { DomainError } from './errors.ts';
import { moveCapCountsToAccount } from './external/cap.ts';
import { effectiveSetting } from './external/policy.ts';
import { readDisplayName } from './names.ts';
import { chatChanges, recordChanges, type ChangeNotice } from './sync/changes.ts';

/** Reads what a signed-out person typed; without a region only `+…` numbers can be read. */
export function readAddress(input: string, region: string | undefined): Address {
  const result = parseAddress(input, region);
  if (!result.ok) {
    throw new DomainError('invalid_address', addressProblem(result.code), { reason: result.code });
  }
  return result.address;
}

function addressProblem(reason: string): string {
  switch (reason) {
    case 'empty':
      return 'Enter an email address or a phone number.';
    case 'missing_country_code':
      return 'Add the country code to the phone number, for example +33.';
    case 'premium_rate_number':
    case 'shared_cost_number':
      return 'Premium-rate and shared-cost numbers cannot be used.';
    case 'phone_not_valid':
      return 'This phone number does not exist. Check the digits.';
    case 'confusable_email':
      return 'This email address has characters that look like others (a Kelvin sign, a dotless ı, letters from two alphabets). Type it with ordinary letters.';
    default:
      return 'This is not a valid email address or phone number.';
  }
}

export type Account = { user: UserRow; organization: OrganizationRow | null };

export async function findAccount(db: Db, address: Address): Promise<Account | null> {
  const { users, organizations } = tables;
  const [row] = await db
    .select({ user: users, organization: organizations })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      address.kind === 'email' ? eq(users.emailKey, address.key) : eq(users.phone, address.value)
    )
    .limit(1);
  return row ?? null;
}

/** The organization that owns the email's domain, if any. */
export async function organizationOfEmail(
  db: Db,
  address: Address
): Promise<OrganizationRow | null> {
  if (address.kind !== 'email') return null;
  const { organizationDomains, organizations } = tables;
  const [row] = await db
    .select({ organization: organizations })
    .from(organizationDomains)
    .innerJoin(organizations, eq(organizations.id, organizationDomains.organizationId))
    .where(eq(organizationDomains.domain, emailDomain(address)))
    .limit(1);
  return row?.organization ?? null;
}

/**
 * An email on an organization's verified domain always makes a managed account in that
 * organization (proof of the mailbox is proof of membership); it can never be a personal one.
 * Every sign-up path comes through here, so the name rule is checked here (`name_*` codes).
 */
export async function createAccount(
  tx: Db,
  address: Address,
  name: string,
  locale: Locale,
  now: Date
): Promise<Account> {
  const stored = readDisplayName(name);
  const organization = await organizationOfEmail(tx, address);
  const [user] = await tx
    .insert(tables.users)
    .values({
      id: randomUUID(),
      organizationId: organization?.id ?? null,
      role: organization ? 'member' : null,
      name: stored,
      email: address.kind === 'email' ? address.value : null,
      emailKey: address.kind === 'email' ? address.key : null,
      phone: address.kind === 'phone' ? address.value : null,
      region: address.kind === 'phone' ? (address.country ?? null) : null,
      locale,
      createdAt: now
    })
    .returning();
  if (!user) throw new Error('user insert returned nothing');
  return { user, organization };
}

/**
 * A new account inherits the message requests already sent to its address (pending, not
 * suppressed, nobody's yet), so that someone invited who signs up without the link still finds
 * them. The same delivery rule as at sending applies: an organization with inbound chat closed
 * gets them recorded but not shown. Runs in the account's transaction; returns the notices to
 * announce after commit.
 */
export async function attachPendingRequests(
  tx: Db,
  account: Account,
  address: Address,
  now: Date
): Promise<ChangeNotice[]> {
  const { messageRequests: r, chatMembers } = tables;
  const closed =
    account.organization !== null &&
    !effectiveSetting(account.user.inboundOverride, account.organization.inboundExternal);
  const attached = await tx
    .update(r)
    .set({ recipientId: account.user.id, ...(closed && { suppressed: true }) })
    .where(
      and(
        eq(r.addressKey, address.key),
        isNull(r.recipientId),
        eq(r.status, 'pending'),
        not(r.suppressed),
        isNull(r.revokedAt)
      )
    )
    .returning({ chatId: r.chatId, senderId: r.senderId });
  await moveCapCountsToAccount(
    tx,
    address.key,
    account.user.id,
    attached.map((request) => request.senderId)
  );
  if (attached.length === 0 || closed) return [];
  // A sender either organization blocked (theirs this address, ours the sender) reaches nobody.
  const chatIds: string[] = [];
  for (const { chatId, senderId } of attached) {
    const target = { recipientId: account.user.id, addressKey: address.key };
    const blocked =
      (await senderOrganizationBlocked(tx, await organizationIdOf(tx, senderId), target)) ||
      (account.organization !== null &&
        (await blockedByOrganization(
          tx,
          account.organization.id,
          await blockableUser(tx, senderId)
        )));
    if (blocked) {
      await tx.update(r).set({ suppressed: true }).where(eq(r.chatId, chatId));
    } else {
      chatIds.push(chatId);
    }
  }
  if (chatIds.length === 0) return [];
  chatIds.sort();
  await tx
    .insert(chatMembers)
    .values(chatIds.map((chatId) => ({ chatId, userId: account.user.id, joinedAt: now })))
    .onConflictDoNothing();
  const changes = [];
  for (const chatId of chatIds) changes.push(...(await chatChanges(tx, chatId)));
  return recordChanges(tx, changes, now);
}
