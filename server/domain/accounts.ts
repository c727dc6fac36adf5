// Accounts and sign-in by one-time code. No HTTP here: routes translate DomainErrors into answers.
import { randomInt, randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, lt, not, sql } from 'drizzle-orm';
import { emailDomain, parseAddress, type Address } from '../../common/address.ts';
import { signInCodeEmail, signInCodeSms } from '../messaging/templates.ts';
import { tables, type Db, type Store } from '../store/index.ts';
import type { Locale } from '../store/schema.ts';
import {
  blockableUser,
  blockedByOrganization,
  organizationIdOf,
  senderOrganizationBlocked
} from './admin/policy.ts';
import { moveCapCountsToAccount } from './external/cap.ts';
import { effectiveSetting } from './external/policy.ts';
import {
  clearFailures,
  countFailure,
  hitRateLimits,
  lockedForSeconds,
  type Limit,
  type Lockout
} from './rate-limit.ts';
import { readDisplayName } from './names.ts';
import { withEffects, type ChangeFeed, type Outbox } from './effects.ts';
import { DomainError } from './errors.ts';
import { keyedHash, safeEqual } from './secrets.ts';
import { createSession, revokeSession, type Organization, type User } from './sessions.ts';
import { chatChanges, recordChanges, type ChangeNotice } from './sync/changes.ts';

export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const MAX_CODE_ATTEMPTS = 5;
const FIFTEEN_MINUTES = 15 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;
export const SIGN_IN_LIMITS = {
  perAddress: { max: 5, windowMs: FIFTEEN_MINUTES },
  perIp: { max: 30, windowMs: FIFTEEN_MINUTES }
} satisfies Record<string, Limit>;

/**
 * Wrong codes lock the address: 1 minute after 5, then doubling with every 5 more, up to a day;
 * forgotten a week after the last wrong code or at the next sign-in. A guesser gets about 55
 * tries on the first day and 5 a day after that (against 2,400 a day with per-code limits only).
 */
export const SIGN_IN_LOCKOUT: Lockout = {
  failuresPerStep: MAX_CODE_ATTEMPTS,
  firstLockMs: 60 * 1000,
  maxLockMs: DAY,
  forgetAfterMs: 7 * DAY
};

/** Where sign-in codes may be texted, server-wide (`SMS_COUNTRIES`, `SIGN_IN_SMS_*`, README). */
export type SignInRules = {
  /** ISO regions; a number of another region, or non-geographic (+800…), gets no SMS. */
  smsCountries: readonly string[];
  /** Codes texted to one country calling code per day, from anyone. */
  smsPerCallingCodeDay: number;
};

export type AccountsDeps = {
  store: Store;
  notifier: Outbox;
  feed: ChangeFeed;
  secretKey: Buffer;
  rules: SignInRules;
};

const lockKey = (address: Address) => `sign-in:wrong-codes:${address.key}`;

function locked(seconds: number): DomainError {
  return new DomainError(
    'sign_in_locked',
    'Too many wrong codes for this address. Wait, then ask for a new code.',
    undefined,
    seconds
  );
}

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

/**
 * Sends a sign-in code to the address, whether or not it has an account: the answer and the
 * work done are the same either way, so the endpoint cannot be used to find accounts. The code
 * goes to the address as the account holding it stored it at sign-up (the mailbox that proved
 * it), never to another spelling that happens to share its lookup key.
 */
export async function requestSignInCode(
  deps: AccountsDeps,
  request: { address: Address; ip: string; locale: Locale; now: Date }
): Promise<{ expiresInSeconds: number }> {
  const { address, now } = request;
  // The invitation rules for texts: premium-rate and shared-cost numbers never parse, and only
  // the server's countries get one (the answer depends on the number only, not on accounts).
  if (
    address.kind === 'phone' &&
    (address.country === undefined || !deps.rules.smsCountries.includes(address.country))
  ) {
    throw new DomainError(
      'invalid_address',
      'Sign-in codes cannot be sent by text message to numbers in this country. Use your email address.',
      { reason: 'sms_country_not_allowed' }
    );
  }
  const lockedFor = await deps.store.read((db) => lockedForSeconds(db, lockKey(address), now));
  if (lockedFor > 0) throw locked(lockedFor);
  const limit = await hitRateLimits(
    deps.store,
    [
      { key: `sign-in:address:${address.key}`, limit: SIGN_IN_LIMITS.perAddress },
      { key: `sign-in:ip:${request.ip}`, limit: SIGN_IN_LIMITS.perIp }
    ],
    now
  );
  // The country's budget is spent only by requests that would send: one client hammering its
  // own address cannot use up the day's texts to a whole country.
  const budget =
    limit.allowed && address.kind === 'phone'
      ? await hitRateLimits(
          deps.store,
          [
            {
              key: `sign-in:calling-code:${address.callingCode}`,
              limit: { max: deps.rules.smsPerCallingCodeDay, windowMs: DAY }
            }
          ],
          now
        )
      : limit;
  if (!budget.allowed) {
    throw new DomainError(
      'rate_limited',
      'Too many codes requested. Try again later.',
      undefined,
      budget.retryAfterSeconds
    );
  }

  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const id = randomUUID();
  const { signInCodes } = tables;
  const minutes = CODE_LIFETIME_MS / 60_000;
  await withEffects(deps, async (tx, effects) => {
    // A new code supersedes the older ones: only the latest can be used.
    await tx
      .update(signInCodes)
      .set({ consumedAt: now })
      .where(and(eq(signInCodes.addressKey, address.key), isNull(signInCodes.consumedAt)));
    await tx.insert(signInCodes).values({
      id,
      addressKey: address.key,
      codeHash: keyedHash(deps.secretKey, `${id}:${code}`),
      attempts: 0,
      expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
      createdAt: now
    });
    const account = await findAccount(tx, address);
    const to =
      (address.kind === 'email' ? account?.user.email : account?.user.phone) ?? address.value;
    // The code leaves from the durable queue, and only if this transaction commits.
    effects.send(
      address.kind === 'email'
        ? { channel: 'email', to, ...signInCodeEmail(request.locale, code, minutes) }
        : { channel: 'sms', to, text: signInCodeSms(request.locale, code, minutes) }
    );
  });
  return { expiresInSeconds: CODE_LIFETIME_MS / 1000 };
}

export type VerifyResult =
  | { status: 'signed_in'; user: User; organization: Organization | null; sessionToken: string }
  | { status: 'name_required' };

/**
 * Checks a code and signs in, creating the account on first use. An address with no account
 * needs a name first: the code is then kept so the person can send it again with their name.
 */
export async function verifySignInCode(
  deps: AccountsDeps,
  request: {
    address: Address;
    code: string;
    name: string | undefined;
    locale: Locale;
    previousSessionHash: string | null;
    now: Date;
  }
): Promise<VerifyResult> {
  const { address, now } = request;
  const { signInCodes } = tables;
  // Refusals are returned, not thrown, from the transaction: a wrong guess must still commit
  // its attempt count.
  const outcome = await withEffects(
    deps,
    async (tx, effects): Promise<VerifyResult | DomainError> => {
      const lockedFor = await lockedForSeconds(tx, lockKey(address), now);
      if (lockedFor > 0) return locked(lockedFor);
      const [challenge] = await tx
        .select()
        .from(signInCodes)
        .where(and(eq(signInCodes.addressKey, address.key), isNull(signInCodes.consumedAt)))
        .orderBy(desc(signInCodes.createdAt))
        .limit(1);
      if (!challenge) return invalidCode();
      if (challenge.expiresAt.getTime() <= now.getTime()) {
        return new DomainError('code_expired', 'This code has expired. Ask for a new one.');
      }
      if (challenge.attempts >= MAX_CODE_ATTEMPTS) return tooManyAttempts();

      const expected = challenge.codeHash;
      if (!safeEqual(keyedHash(deps.secretKey, `${challenge.id}:${request.code}`), expected)) {
        // Incremented in SQL under a condition: concurrent wrong guesses cannot exceed the
        // attempt budget (a value read before the row lock would let them all count as one).
        const [counted] = await tx
          .update(signInCodes)
          .set({ attempts: sql`${signInCodes.attempts} + 1` })
          .where(and(eq(signInCodes.id, challenge.id), lt(signInCodes.attempts, MAX_CODE_ATTEMPTS)))
          .returning({ attempts: signInCodes.attempts });
        // Every wrong guess at a live code counts towards the address's lockout, across codes.
        await countFailure(tx, lockKey(address), SIGN_IN_LOCKOUT, now);
        if (!counted || counted.attempts >= MAX_CODE_ATTEMPTS) return tooManyAttempts();
        return invalidCode();
      }

      let account = await findAccount(tx, address);
      // Only the holder of the address gets this far: telling them is safe.
      if (account && account.user.removedAt !== null) return accountRemoved();
      if (!account) {
        const name = request.name?.trim();
        if (!name) return { status: 'name_required' } as const;
        account = await createAccount(tx, address, name, request.locale, now);
        effects.announce(await attachPendingRequests(tx, account, address, now));
      }

      const [consumed] = await tx
        .update(signInCodes)
        .set({ consumedAt: now })
        .where(and(eq(signInCodes.id, challenge.id), isNull(signInCodes.consumedAt)))
        .returning({ id: signInCodes.id });
      if (!consumed) return invalidCode();
      await clearFailures(tx, lockKey(address));

      // Rotation: the session that existed before sign-in (if any) stops working.
      if (request.previousSessionHash) await revokeSession(tx, request.previousSessionHash);
      const sessionToken = await createSession(tx, account.user.id, now);
      return { status: 'signed_in', ...account, sessionToken } as const;
    }
  );
  if (outcome instanceof DomainError) throw outcome;
  return outcome;
}

const invalidCode = () =>
  new DomainError('invalid_code', 'This code is not right. Check it and try again.');
const accountRemoved = () =>
  new DomainError(
    'account_removed',
    'Your organization removed this account. Ask its admin if you think this is a mistake.'
  );
const tooManyAttempts = () =>
  new DomainError('code_attempts_exceeded', 'Too many wrong codes. Ask for a new code.');

export type Account = { user: User; organization: Organization | null };

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
export async function organizationOfEmail(db: Db, address: Address): Promise<Organization | null> {
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
