// Fixed-window rate limits kept in the database, so that every server instance counts together.
import { sql } from 'drizzle-orm';
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
