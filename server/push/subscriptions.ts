// Push subscriptions: one per browser session (signing out deletes it with the session), one
// row per endpoint (the same endpoint again is an update).
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { tables, type Db } from '../store/index.ts';

const { pushSubscriptions: subscriptions } = tables;

export type NewSubscription = {
  endpoint: string;
  p256dh: string;
  auth: string;
  expiresAtMs: number | null;
};

/** Stores the session's subscription; returns whether the endpoint was new. */
export async function saveSubscription(
  tx: Db,
  owner: { userId: string; sessionHash: string },
  subscription: NewSubscription,
  now: Date
): Promise<{ created: boolean }> {
  // A browser has one subscription at a time: the one it sends replaces what it had.
  await tx
    .delete(subscriptions)
    .where(
      and(
        eq(subscriptions.sessionHash, owner.sessionHash),
        ne(subscriptions.endpoint, subscription.endpoint)
      )
    );
  const [existing] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.endpoint, subscription.endpoint));
  await tx
    .insert(subscriptions)
    .values({
      id: randomUUID(),
      ...subscription,
      ...owner,
      failures: 0,
      createdAt: now,
      updatedAt: now
    })
    .onConflictDoUpdate({
      target: subscriptions.endpoint,
      // The endpoint belongs to the browser: whoever signed in there last receives its pushes.
      set: { ...subscription, ...owner, failures: 0, updatedAt: now }
    });
  return { created: existing === undefined };
}

/** Only the person's own subscription: someone else's endpoint is left alone. */
export async function deleteSubscription(tx: Db, userId: string, endpoint: string): Promise<void> {
  await tx
    .delete(subscriptions)
    .where(and(eq(subscriptions.userId, userId), eq(subscriptions.endpoint, endpoint)));
}

export type StoredSubscription = typeof subscriptions.$inferSelect;

export async function subscriptionsOf(db: Db, userIds: string[]): Promise<StoredSubscription[]> {
  if (userIds.length === 0) return [];
  return db.select().from(subscriptions).where(inArray(subscriptions.userId, userIds));
}

export async function subscriptionById(db: Db, id: string): Promise<StoredSubscription | null> {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  return row ?? null;
}

export async function forgetSubscription(tx: Db, id: string): Promise<void> {
  await tx.delete(subscriptions).where(eq(subscriptions.id, id));
}

/** Counts a refused push; returns the failures in a row. */
export async function countFailure(tx: Db, id: string): Promise<number> {
  const [row] = await tx
    .update(subscriptions)
    .set({ failures: sql`${subscriptions.failures} + 1` })
    .where(eq(subscriptions.id, id))
    .returning({ failures: subscriptions.failures });
  return row?.failures ?? 0;
}

export async function resetFailures(tx: Db, id: string): Promise<void> {
  await tx
    .update(subscriptions)
    .set({ failures: 0 })
    .where(and(eq(subscriptions.id, id), ne(subscriptions.failures, 0)));
}
