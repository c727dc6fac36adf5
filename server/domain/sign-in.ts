// Sign-in by one-time code (docs/decisions.md, Accounts and sign-in): asking for a code, then
// checking it, which signs in or creates the account. No HTTP here: routes translate
// DomainErrors into answers.
import { randomInt, randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Address } from '../../common/address.ts';
import { signInCodeEmail, signInCodeSms } from '../messaging/templates.ts';
import { tables, type Store } from '../store/index.ts';
import type { Locale, OrganizationRow, UserRow } from '../store/schema.ts';
import { attachPendingRequests, createAccount, findAccount } from './accounts.ts';
import { withEffects, type ChangeFeed, type Outbox } from './effects.ts';
import { DomainError } from './errors.ts';
import {
  clearFailures,
  countFailure,
  hitRateLimits,
  lockedForSeconds,
  type Limit,
  type Lockout
} from './rate-limit.ts';
import { keyedHash, safeEqual } from './secrets.ts';
import { createSession, revokeSession } from './sessions.ts';

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
  | {
      status: 'signed_in';
      user: UserRow;
      organization: OrganizationRow | null;
      sessionToken: string;
    }
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
