import { eq, type Logger } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootstrapResponse, Change } from '../../common/protocol.ts';
import {
  addOrganization,
  addPersonalUser,
  normalized,
  setPolicy,
  setRequestsAllowed,
  startExternal
} from '../support/external.ts';
import { addFabrikam, FIONA, FRANK } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
beforeEach(async () => {
  t = await startTestApp();
  await addFabrikam(t, [FRANK, FIONA, { name: 'Gina Ross', email: 'gina@fabrikam.test' }]);
  const closed = await addOrganization(t, {
    name: 'Closed Corp',
    domain: 'closed.test',
    people: [{ name: 'Hank Stone', email: 'hank@closed.test' }]
  });
  await setPolicy(t, closed, { inboundExternal: false });
  alice = await deviceFor(t, 'alice@contoso.test');
});
afterEach(async () => {
  await t.close();
});

async function userId(email: string): Promise<string> {
  const [row] = await t.store.db
    .select({ id: tables.users.id })
    .from(tables.users)
    .where(eq(tables.users.email, email));
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}

const without = <T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> => {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
};

describe('starting a request reveals nothing about the address', () => {
  it('answers and shows the sender the same for no account, an account, a block, a refusal and a closed organization', async () => {
    const fiona = await userId('fiona@fabrikam.test');
    await t.store.tx((tx) =>
      tx
        .insert(tables.userBlocks)
        .values({ blockerId: fiona, blockedId: alice.userId, createdAt: t.clock.now() })
    );
    await setRequestsAllowed(t, await userId('gina@fabrikam.test'), false);

    const addresses = [
      'nobody@example.org', // no account: an invitation is sent
      'frank@fabrikam.test', // an account: Frank becomes a member
      'fiona@fabrikam.test', // blocked the sender
      'gina@fabrikam.test', // refuses requests
      'hank@closed.test' // organization closed to inbound chat
    ];
    const seen: { result: unknown; pulled: unknown; booted: unknown }[] = [];
    for (const address of addresses) {
      const before = (await alice.pull(0, 1000)).cursor;
      const { chatId, result } = await startExternal(alice, address);
      const pulled = (await alice.pullAll(before)).map((change: Change) =>
        without(change, 'cursor')
      );
      const boot = (await alice.browser.get('/api/sync/bootstrap')).body as BootstrapResponse;
      const booted = boot.chats.find((chat) => chat.id === chatId);
      seen.push({
        result: normalized(without(result, 'seq'), [address]),
        pulled: normalized(pulled, [address]),
        booted: normalized(booted, [address])
      });
    }
    for (const other of seen.slice(1)) expect(other).toEqual(seen[0]);
    // Not vacuous: each saw one chat change, with a pending request and only themselves.
    expect(seen[0]?.pulled).toMatchObject([
      {
        type: 'chat',
        chat: {
          members: [{ userId: '<id 1>' }],
          request: { role: 'sender', state: 'pending', address: '<literal 0>' }
        }
      }
    ]);

    // Meanwhile only the first two went anywhere.
    await t.services.notifier.idle();
    const delivered = [...t.email.sent, ...t.sms.sent]
      .filter((m) => addresses.includes(m.to))
      .map((m) => m.to);
    expect(delivered.sort()).toEqual(['frank@fabrikam.test', 'nobody@example.org']);
  });
});

/**
 * The SQL statements the store runs while `work` runs (drizzle's query log), with the number
 * of rows of a VALUES list or an IN list left out: what the server did, not with how many rows.
 */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const { logger } = (t.store.db as unknown as { session: { logger: Logger } }).session;
  const original = logger.logQuery.bind(logger);
  const seen: string[] = [];
  logger.logQuery = (query: string) => {
    // The durable queue's own statements are left out: its delivery loop runs beside the
    // answer, and the one-row insert of an email is the email itself, written only when one
    // leaves (a single-row insert, well inside the bench's 0.3 ms).
    if (query.includes('"outgoing_messages"')) return;
    seen.push(
      query
        .replace(/ values \(.*?\)(, \(.*?\))*/g, ' values (…)')
        .replace(/ in \([^)]*\)/g, ' in (…)')
    );
  };
  try {
    await work();
  } finally {
    logger.logQuery = original;
  }
  return seen;
}

describe('starting a request does the same work for every address', () => {
  // The statements are the engine's own: one dialect shows it (PostgreSQL runs the same code).
  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))(
    'runs the same SQL before answering, from a personal and from a managed sender',
    async () => {
      await addPersonalUser(t, { name: 'Pat Doe', email: 'pat@personal.example' });
      await addPersonalUser(t, { name: 'Paula Roe', email: 'paula@personal.example' });
      const pat = await deviceFor(t, 'pat@personal.example');
      const fiona = await userId('fiona@fabrikam.test');
      await t.store.tx((tx) =>
        tx.insert(tables.userBlocks).values([
          { blockerId: fiona, blockedId: alice.userId, createdAt: t.clock.now() },
          { blockerId: fiona, blockedId: pat.userId, createdAt: t.clock.now() }
        ])
      );
      await setRequestsAllowed(t, await userId('gina@fabrikam.test'), false);
      const addresses = [
        'frank@fabrikam.test', // a member who accepts requests: the request reaches him
        'fiona@fabrikam.test', // blocked the sender
        'gina@fabrikam.test', // refuses requests
        'hank@closed.test', // organization closed to inbound chat
        'paula@personal.example', // a personal account who accepts requests
        'nobody@unknown.example', // no account
        'new@fabrikam.test' // no account, on an organization's domain
      ];
      for (const sender of [pat, alice]) {
        await startExternal(sender, 'warm-up@example.org'); // the device's first push registers it
        const traces: Record<string, string[]> = {};
        for (const address of addresses) {
          traces[address] = await statementsOf(async () => {
            const { result } = await startExternal(sender, address);
            expect(result).toMatchObject({ status: 'applied' });
          });
        }
        const first = traces[addresses[0] as string];
        expect(first?.length).toBeGreaterThan(10);
        for (const address of addresses)
          expect({ address, sql: traces[address] }).toEqual({ address, sql: first });
      }
    }
  );
});
