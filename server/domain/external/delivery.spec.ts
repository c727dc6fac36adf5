import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mutation } from '../../../common/protocol.ts';
import { startTestApp, type TestApp } from '../../../tests/support/harness.ts';
import type { Outgoing } from '../../messaging/transports.ts';
import { tables, type Store } from '../../store/index.ts';
import { createSyncEngine } from '../sync/engine.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

async function alice() {
  const [row] = await t.store.db
    .select({ id: tables.users.id, organizationId: tables.users.organizationId })
    .from(tables.users)
    .where(eq(tables.users.email, 'alice@contoso.test'));
  if (!row) throw new Error('alice is not seeded');
  return row;
}

const start = (address: string): Mutation => ({
  id: randomUUID(),
  seq: 1,
  at: new Date().toISOString(),
  type: 'chat.startExternal',
  args: { chatId: randomUUID(), address }
});

/** The store, with a flag that says whether the last transaction has committed. */
function watchedStore(failCommit: boolean) {
  const state = { committed: false };
  const store: Store = Object.create(t.store) as Store;
  store.tx = async (work) => {
    state.committed = false;
    const value = await t.store.tx(async (tx) => {
      const result = await work(tx);
      if (failCommit) throw new Error('the commit failed');
      return result;
    });
    state.committed = true;
    return value;
  };
  return { store, state };
}

describe('invitations leave after commit', () => {
  it('writes the invitation in the transaction, and sends it only once that has committed', async () => {
    const { store, state } = watchedStore(false);
    const sent: { message: Outgoing; committed: boolean }[] = [];
    const send = t.email.send.bind(t.email);
    t.email.send = (message, id) => {
      sent.push({ message, committed: state.committed });
      return send(message, id);
    };
    const engine = createSyncEngine({ store, now: t.clock.now, notifier: t.services.notifier });
    const [result] = await engine.push(await alice(), randomUUID(), [start('guest@example.org')]);
    expect(result).toMatchObject({ status: 'applied' });
    await t.services.notifier.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ committed: true, message: { to: 'guest@example.org' } });
    expect(await t.store.db.select().from(tables.outgoingMessages)).toEqual([]);
  });

  it('sends nothing for a transaction that rolled back', async () => {
    const { store } = watchedStore(true);
    const engine = createSyncEngine({ store, now: t.clock.now, notifier: t.services.notifier });
    await expect(
      engine.push(await alice(), randomUUID(), [start('guest@example.org')])
    ).rejects.toThrow('the commit failed');
    await t.services.notifier.idle();
    expect(t.email.sent.filter((m) => m.to === 'guest@example.org')).toEqual([]);
    expect(await t.store.db.select().from(tables.messageRequests)).toEqual([]);
    expect(await t.store.db.select().from(tables.outgoingMessages)).toEqual([]);
  });
});
