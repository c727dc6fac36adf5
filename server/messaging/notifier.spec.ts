// The durable email/SMS queue: written in the causing transaction, delivered after commit, at
// least once, across crashes and instances, on SQLite and on PostgreSQL (TEST_DATABASE_URL).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestStore, RecordingTransport } from '../../tests/support/harness.ts';
import { openStore, tables, type Store } from '../store/index.ts';
import { Notifier, type NotifierOptions } from './notifier.ts';
import type { OutgoingEmail, OutgoingSms, Transport } from './transports.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A database, and a way to open it again as another process would: a second connection to the
 * same PostgreSQL database, or the same SQLite file once the first process is gone.
 */
async function database(): Promise<{ store: Store; reopen: () => Promise<Store> }> {
  if (process.env.TEST_DATABASE_URL) {
    const { store, databaseUrl, dispose } = await openTestStore();
    cleanups.push(dispose);
    return {
      store,
      reopen: async () => {
        const again = await openStore({ databaseUrl, dataDir: os.tmpdir() });
        cleanups.push(() => again.close());
        return again;
      }
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-queue-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = await openStore({ databaseUrl: undefined, dataDir });
  let open = true;
  cleanups.push(() => (open ? store.close() : undefined));
  return {
    store,
    reopen: async () => {
      // One process owns a SQLite file: the first one is gone (crashed) before the next opens.
      open = false;
      await store.close();
      const again = await openStore({ databaseUrl: undefined, dataDir });
      cleanups.push(() => again.close());
      return again;
    }
  };
}

function notifier(store: Store, options: Partial<NotifierOptions> = {}) {
  const email = new RecordingTransport<OutgoingEmail>();
  const sms = new RecordingTransport<OutgoingSms>();
  const instance = new Notifier(store, { email, sms, retryBaseMs: 1, ...options });
  cleanups.push(() => instance.stop());
  return { notifier: instance, email, sms };
}

const mail = (to: string): OutgoingEmail => ({
  channel: 'email',
  to,
  subject: 'Hello',
  text: `Hello ${to}`
});

const queued = (store: Store) => store.db.select().from(tables.outgoingMessages);

describe('the outgoing queue', () => {
  it('never sends a message queued in a transaction that rolled back', async () => {
    const { store } = await database();
    const { notifier: queue, email } = notifier(store);
    await expect(
      store.tx(async (tx) => {
        await queue.enqueue(tx, mail('gone@example.org'));
        throw new Error('changed my mind');
      })
    ).rejects.toThrow('changed my mind');
    await store.tx((tx) => queue.enqueue(tx, mail('kept@example.org')));
    queue.wake();
    await queue.idle();
    expect(email.sent.map((m) => m.to)).toEqual(['kept@example.org']);
    expect(await queued(store)).toEqual([]);
  });

  it('delivers what a crashed instance had committed, or had claimed and not finished', async () => {
    const { store, reopen } = await database();
    // The first instance queues two messages and starts sending one of them when it "crashes":
    // its send never finishes and it never records anything.
    const hanging: Transport<OutgoingEmail> = {
      name: 'hanging',
      send: () => new Promise(() => {})
    };
    const first = new Notifier(store, {
      email: hanging,
      sms: new RecordingTransport(),
      leaseMs: 200,
      batchSize: 1
    });
    await store.tx((tx) => first.enqueue(tx, mail('claimed@example.org')));
    first.wake();
    await expect
      .poll(async () => (await queued(store)).filter((row) => row.claim !== null).length)
      .toBe(1);
    await store.tx((tx) => first.enqueue(tx, mail('committed@example.org')));

    const reopened = await reopen();
    const second = notifier(reopened);
    await second.notifier.idle();
    expect(second.email.sent.map((m) => m.to).sort()).toEqual([
      'claimed@example.org',
      'committed@example.org'
    ]);
    expect(await queued(reopened)).toEqual([]);
  });

  it('retries a failing transport with backoff until it succeeds, with the same id', async () => {
    const { store } = await database();
    const tries: { at: number; id: string }[] = [];
    const flaky: Transport<OutgoingSms> = {
      name: 'flaky',
      send: (_message, id) => {
        tries.push({ at: Date.now(), id });
        return tries.length < 3 ? Promise.reject(new Error('provider down')) : Promise.resolve();
      }
    };
    const { notifier: queue } = notifier(store, { sms: flaky, retryBaseMs: 20 });
    await store.tx((tx) => queue.enqueue(tx, { channel: 'sms', to: '+33612345678', text: 'hi' }));
    queue.wake();
    await queue.idle();
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.id)).size).toBe(1);
    // About 20 ms, then about 40 ms (each 0.5–1.5×).
    const [a, b, c] = tries.map((t) => t.at) as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(9);
    expect(c - b).toBeGreaterThanOrEqual(19);
    expect(await queued(store)).toEqual([]);
  });

  it('lets two deliverers on one database send each message exactly once', async () => {
    const { store, reopen } = await database();
    // Two instances on PostgreSQL; on SQLite (one process per file) two deliverers in one.
    const other = process.env.TEST_DATABASE_URL ? await reopen() : store;
    const a = notifier(store, { batchSize: 3, pollMs: 5 });
    const b = notifier(other, { batchSize: 3, pollMs: 5 });
    const addresses = Array.from({ length: 60 }, (_, i) => `person${i}@example.org`);
    for (let i = 0; i < addresses.length; i += 10) {
      await store.tx((tx) => a.notifier.enqueue(tx, ...addresses.slice(i, i + 10).map(mail)));
    }
    a.notifier.start();
    b.notifier.start();
    await Promise.all([a.notifier.idle(), b.notifier.idle()]);
    const ids = [...a.email.ids, ...b.email.ids];
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect([...a.email.sent, ...b.email.sent].map((m) => m.to).sort()).toEqual(addresses.sort());
    expect(await queued(store)).toEqual([]);
  });
});
