// Fixed-window rate limits kept in the database, so that every server instance counts together.
import { eq, inArray, sql } from 'drizzle-orm';
import { tables, type Db, type Store } from '../store/index.ts';

export type Limit = { max: number; windowMs: number };
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };
export type LimitCheck = { key: string; limit: Limit };

/**
 * Counts one hit on `key` inside `db` (a transaction or the store's handle) and says whether it
 * is within `limit`. The counter is bumped by a single upsert, so concurrent requests on any
 * instance never both take the last slot; inside a caller's transaction the hit rolls back with
 * it.
 */
export async function countHit(
  db: Db,
  key: string,
  limit: Limit,
  now: Date
): Promise<LimitDecision> {
  const t = tables.rateLimits;
  const nowMs = now.getTime();
  const windowOpenedAfter = nowMs - limit.windowMs;
  const [row] = await db
    .insert(t)
    .values({ key, windowStartMs: nowMs, count: 1 })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        count: sql`CASE WHEN ${t.windowStartMs} <= ${windowOpenedAfter} THEN 1 ELSE ${t.count} + 1 END`,
        windowStartMs: sql`CASE WHEN ${t.windowStartMs} <= ${windowOpenedAfter} THEN ${nowMs} ELSE ${t.windowStartMs} END`
      }
    })
    .returning({ count: t.count, windowStartMs: t.windowStartMs });
  if (!row) throw new Error(`rate limit upsert returned nothing for ${key}`);
  if (row.count <= limit.max) return { allowed: true };
  const windowEndsMs = Number(row.windowStartMs) + limit.windowMs;
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((windowEndsMs - nowMs) / 1000))
  };
}

/**
 * Counts a hit on each limit inside `db` (all must allow) and answers the refusal that lasts
 * longest. Every limit is counted even after one refuses, so hammering one key cannot keep the
 * others fresh.
 */
export async function countHits(db: Db, checks: LimitCheck[], now: Date): Promise<LimitDecision> {
  let worst: LimitDecision = { allowed: true };
  for (const check of checks) {
    const decision = await countHit(db, check.key, check.limit, now);
    if (
      !decision.allowed &&
      (worst.allowed || decision.retryAfterSeconds > worst.retryAfterSeconds)
    ) {
      worst = decision;
    }
  }
  return worst;
}

/** Counts a hit on each limit in a transaction of its own (requests that write nothing else). */
export function hitRateLimits(
  store: Store,
  checks: LimitCheck[],
  now: Date
): Promise<LimitDecision> {
  return store.tx((tx) => countHits(tx, checks, now));
}

/**
 * Exponential lockout after repeated failures on one key: every `failuresPerStep` failures
 * lock the key for `firstLockMs`, doubling at each step up to `maxLockMs`. Failures are
 * forgotten `forgetAfterMs` after the last one, or when the caller clears them (a success).
 */
export type Lockout = {
  failuresPerStep: number;
  firstLockMs: number;
  maxLockMs: number;
  forgetAfterMs: number;
};

// Two rows of rate_limits per key: the failure count (its window start is the last failure),
// and the lock (its window start is the time the lock ends).
const failuresKey = (key: string) => `${key}:failures`;
const lockKey = (key: string) => `${key}:locked-until`;

/** Seconds until `key` is unlocked; 0 when it is not locked. */
export async function lockedForSeconds(db: Db, key: string, now: Date): Promise<number> {
  const t = tables.rateLimits;
  const [row] = await db
    .select({ until: t.windowStartMs })
    .from(t)
    .where(eq(t.key, lockKey(key)))
    .limit(1);
  const remainingMs = row ? Number(row.until) - now.getTime() : 0;
  return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
}

/**
 * Counts one failure on `key` inside `db` (a single upsert, so concurrent failures on any
 * instance all count) and, when it completes a step, locks the key. Returns the lock's length
 * in seconds, 0 when this failure did not lock.
 */
export async function countFailure(
  db: Db,
  key: string,
  lockout: Lockout,
  now: Date
): Promise<number> {
  const t = tables.rateLimits;
  const nowMs = now.getTime();
  const forgottenBefore = nowMs - lockout.forgetAfterMs;
  const [row] = await db
    .insert(t)
    .values({ key: failuresKey(key), windowStartMs: nowMs, count: 1 })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        count: sql`CASE WHEN ${t.windowStartMs} <= ${forgottenBefore} THEN 1 ELSE ${t.count} + 1 END`,
        windowStartMs: nowMs
      }
    })
    .returning({ count: t.count });
  if (!row) throw new Error(`failure upsert returned nothing for ${key}`);
  if (row.count % lockout.failuresPerStep !== 0) return 0;
  const step = row.count / lockout.failuresPerStep;
  const lockMs = Math.min(lockout.maxLockMs, lockout.firstLockMs * 2 ** Math.min(step - 1, 30));
  const until = nowMs + lockMs;
  await db
    .insert(t)
    .values({ key: lockKey(key), windowStartMs: until, count: step })
    .onConflictDoUpdate({ target: t.key, set: { windowStartMs: until, count: step } });
  return Math.ceil(lockMs / 1000);
}

/** Forgets the failures and any lock on `key` (after a success). */
export async function clearFailures(db: Db, key: string): Promise<void> {
  const t = tables.rateLimits;
  await db.delete(t).where(inArray(t.key, [failuresKey(key), lockKey(key)]));
}
