import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../tests/support/harness.ts';
import { LiveSocket, serveLive, type LiveServer } from '../../tests/support/live.ts';
import { deviceFor, type TestDevice } from '../../tests/support/sync.ts';
import { openStore } from '../store/index.ts';

let t: TestApp;
let live: LiveServer;
let alice: TestDevice;
let bruno: TestDevice;
let chatId: string;

beforeEach(async () => {
  t = await startTestApp();
  live = await serveLive(t.services);
  alice = await deviceFor(t, 'alice@contoso.test');
  bruno = await deviceFor(t, 'bruno@contoso.test');
  chatId = randomUUID();
  await alice.do('chat.createDirect', { chatId, userId: bruno.userId });
});
afterEach(async () => {
  await live.close();
  await t.close();
});

function socketFor(device: TestDevice, server: { wsUrl: string; origin: string } = live) {
  return LiveSocket.open(server.wsUrl, {
    cookie: device.browser.sessionCookie ?? '',
    origin: server.origin
  });
}

/** Connects, catches up by pulling, and acks: the device is now known to be up to date. */
async function caughtUp(device: TestDevice, server?: { wsUrl: string; origin: string }) {
  const socket = await socketFor(device, server);
  const hello = await socket.nextOf('hello');
  const cursor = (await device.pull(0, 1000)).cursor;
  expect(cursor).toBe(hello.cursor);
  socket.ack(cursor);
  return { socket, cursor };
}

describe('real time over a WebSocket', () => {
  it('greets a device with its cursor, then sends it a message another device pushes', async () => {
    const { socket, cursor } = await caughtUp(bruno);
    const sent = await alice.send(chatId, 'are you there?');
    expect(sent.status).toBe('applied');

    const event = await socket.nextOf('changes');
    expect(event.after).toBe(cursor);
    expect(event.changes).toEqual([
      {
        cursor: cursor + 1,
        type: 'message',
        message: expect.objectContaining({
          chatId,
          seq: 1,
          body: 'are you there?',
          authorId: alice.userId
        })
      }
    ]);
    // Without waiting for an ack, the next change follows on from the last one sent.
    await alice.send(chatId, 'hello?');
    const next = await socket.nextOf('changes');
    expect(next.after).toBe(cursor + 1);
    socket.close();
  });

  it('pokes a device that has not said where it is', async () => {
    const socket = await socketFor(bruno);
    const hello = await socket.nextOf('hello');
    await alice.send(chatId, 'ping');
    expect(await socket.nextOf('poke')).toEqual({ type: 'poke', cursor: hello.cursor + 1 });
    socket.close();
  });

  it('tells every device of the sender too, and each only its own changes', async () => {
    const fromBruno = await caughtUp(bruno);
    const fromAlice = await caughtUp(alice);
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    const fromChloe = await caughtUp(chloe);
    await alice.send(chatId, 'just us');
    const [toBruno, toAlice] = await Promise.all([
      fromBruno.socket.nextOf('changes'),
      fromAlice.socket.nextOf('changes')
    ]);
    expect(toBruno.changes[0]).toMatchObject({ type: 'message', message: { body: 'just us' } });
    expect(toAlice.changes[0]).toMatchObject({ type: 'message', message: { body: 'just us' } });
    // Chloe hears of her own change, and of nothing before it.
    const groupId = randomUUID();
    await chloe.do('chat.createGroup', { chatId: groupId, name: 'Mine', memberIds: [] });
    const toChloe = await fromChloe.socket.nextOf('changes');
    expect(toChloe.changes.map((c) => c.type)).toEqual(['chat']);
    for (const s of [fromBruno, fromAlice, fromChloe]) s.socket.close();
  });

  it('refuses a socket without a session, or opened by another site', async () => {
    await expect(LiveSocket.open(live.wsUrl, { origin: live.origin })).rejects.toThrow('401');
    await expect(
      LiveSocket.open(live.wsUrl, {
        cookie: bruno.browser.sessionCookie ?? '',
        origin: 'https://evil.example'
      })
    ).rejects.toThrow('403');
    await expect(
      LiveSocket.open(live.wsUrl.replace('/api/sync/ws', '/api/elsewhere'), {
        cookie: bruno.browser.sessionCookie ?? '',
        origin: live.origin
      })
    ).rejects.toThrow('404');
  });

  it('answers a plain request to the socket address with 426', async () => {
    const response = await t.browser().get('/api/sync/ws');
    expect(response.status).toBe(426);
    expect(response.body?.error.code).toBe('upgrade_required');
  });

  it('closes the socket when its session ends', async () => {
    const quick = await serveLive(t.services, { heartbeatMs: 20 });
    try {
      const socket = await socketFor(bruno, quick);
      await socket.nextOf('hello');
      await bruno.browser.post('/api/auth/sign-out');
      expect((await socket.closed).code).toBe(4001);
    } finally {
      await quick.close();
    }
  });

  it('closes a socket that sends something other than an ack', async () => {
    const socket = await socketFor(bruno);
    await socket.nextOf('hello');
    socket.socket.send('{"type":"subscribe","chatId":"everything"}');
    expect((await socket.closed).code).toBe(1008);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('several instances on one PostgreSQL', () => {
  it('delivers a push made on instance A to a socket on instance B', async () => {
    const store = await openStore({ databaseUrl: t.databaseUrl, dataDir: os.tmpdir() });
    const instanceB = await serveLive({ ...t.services, store });
    try {
      const { socket, cursor } = await caughtUp(bruno, instanceB);
      // `alice` pushes through instance A (the in-process app on the first store).
      await alice.send(chatId, 'across instances');
      const event = await socket.nextOf('changes');
      expect(event.after).toBe(cursor);
      expect(event.changes[0]).toMatchObject({
        type: 'message',
        message: { body: 'across instances' }
      });
      socket.close();
    } finally {
      await instanceB.close();
      await store.close();
    }
  });
});
