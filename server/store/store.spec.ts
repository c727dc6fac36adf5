import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../tests/support/harness.ts';
import { tables, type Db, type Store } from './index.ts';

let store: Store;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ store, dispose } = await openTestStore());
});
afterEach(async () => {
  await dispose();
});

const { rateLimits } = tables;
const row = (key: string) => ({ key, windowStartMs: 0, count: 1 });
const keys = async () =>
  (await store.db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key).sort();

describe('transactions', () => {
  it('keep concurrent transactions apart: a failing one is rolled back alone', async () => {
    const outcomes = await Promise.allSettled([
      store.tx((tx) => tx.insert(rateLimits).values(row('a'))),
      store.tx(async (tx) => {
        await tx.insert(rateLimits).values(row('b'));
        throw new Error('changed my mind');
      }),
      store.tx((tx) => tx.insert(rateLimits).values(row('c')))
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await keys()).toEqual(['a', 'c']);
  });

  it('roll back every write of a failing transaction, not only its last', async () => {
    await expect(
      store.tx(async (tx) => {
        await tx.insert(rateLimits).values(row('x'));
        await tx.update(rateLimits).set({ count: 2 }).where(eq(rateLimits.key, 'x'));
        await tx.insert(rateLimits).values(row('x')); // duplicate key
      })
    ).rejects.toThrow();
    expect(await keys()).toEqual([]);
  });

  it.skipIf(process.env.TEST_DATABASE_URL)(
    'on SQLite, let reads queued around a write see it only once committed',
    async () => {
      const before = store.read(() => keys());
      const write = store.tx((tx) => tx.insert(rateLimits).values(row('w')));
      const after = store.read(() => keys());
      await write;
      expect(await before).toEqual([]);
      expect(await after).toEqual(['w']);
    }
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'on PostgreSQL, run transactions on connections no single statement shares',
    async () => {
      // postgres.js (porsager/postgres#823) can lose track of a BEGIN pipelined onto a pooled
      // connection busy with other statements and throw UNSAFE_TRANSACTION: a transaction must
      // only ever start on a connection of its own.
      const backend = async (db: Db) => {
        const rows = await db.execute<{ pid: number }>(
          sql`select pg_backend_pid() as pid, pg_sleep(0.01)`
        );
        return Number(rows[0]?.pid);
      };
      const reads = new Set<number>();
      const transactions = new Set<number>();
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          if (i % 3 === 0) transactions.add(await store.tx(backend));
          else reads.add(await store.read(backend));
        })
      );
      expect(reads.size).toBeGreaterThan(0);
      expect(transactions.size).toBeGreaterThan(0);
      expect([...transactions].filter((p) => reads.has(p))).toEqual([]);
    }
  );
});

describe('notifications', () => {
  it('reach every listener of the channel, and stop after unlisten', async () => {
    const heard: string[] = [];
    const unlisten = await store.listen('test_channel', (payload) => heard.push(payload));
    await store.notify('test_channel', 'one');
    await expect.poll(() => heard).toEqual(['one']);
    await unlisten();
    await store.notify('test_channel', 'two');
    await store.notify('other_channel', 'three');
    const probe: string[] = [];
    const unlistenProbe = await store.listen('test_channel', (payload) => probe.push(payload));
    await store.notify('test_channel', 'four');
    await expect.poll(() => probe).toContain('four'); // by now 'two' was delivered, if ever
    expect(heard).toEqual(['one']);
    await unlistenProbe();
  });
});

describe('column types', () => {
  it('write, read and compare booleans the same way on both engines', async () => {
    const { organizations } = tables;
    const now = new Date('2026-06-01T09:00:00Z');
    await store.tx((tx) =>
      tx.insert(organizations).values([
        { id: 'open', name: 'Open', defaultRegion: 'FR', createdAt: now },
        {
          id: 'closed',
          name: 'Closed',
          defaultRegion: 'FR',
          outboundExternal: false,
          createdAt: now
        }
      ])
    );
    const read = await store.db
      .select({ id: organizations.id, outbound: organizations.outboundExternal })
      .from(organizations)
      .orderBy(organizations.id);
    expect(read).toEqual([
      { id: 'closed', outbound: false },
      { id: 'open', outbound: true }
    ]);
    await store.tx((tx) =>
      tx.update(organizations).set({ outboundExternal: false }).where(eq(organizations.id, 'open'))
    );
    const closed = await store.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.outboundExternal, false));
    expect(closed.map((r) => r.id).sort()).toEqual(['closed', 'open']);
  });
});
