import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { LiveSocket, serveLive, type LiveServer } from '../support/live.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { eq } from 'drizzle-orm';
import { tokenHash } from '../../server/domain/secrets.ts';
import { openStore, tables } from '../../server/store/index.ts';
import { MAX_SOCKETS_PER_SESSION } from '../../server/realtime/hub.ts';

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

/** The close, or a failure once `ms` have passed without one. */
function closedWithin(socket: LiveSocket, ms: number) {
  return Promise.race([
    socket.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms).unref()
    )
  ]);
}

function sessionHashOf(device: TestDevice) {
  const token = device.browser.sessionCookie?.split('=')[1] ?? '';
  return tokenHash(decodeURIComponent(token));
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

  it('closes the socket at the next heartbeat when its session vanished unannounced', async () => {
    const quick = await serveLive(t.services, { heartbeatMs: 200 });
    try {
      const socket = await socketFor(bruno, quick);
      await socket.nextOf('hello');
      // Deleted behind the hub's back: no notice, so the heartbeat's session check is the backstop.
      const hash = sessionHashOf(bruno);
      await t.store.tx((tx) =>
        tx.delete(tables.sessions).where(eq(tables.sessions.tokenHash, hash))
      );
      expect((await socket.closed).code).toBe(4001);
    } finally {
      await quick.close();
    }
  });

  it('closes the socket within a second of signing out, and sends it nothing after', async () => {
    const { socket } = await caughtUp(bruno);
    const signedOut = await bruno.browser.post('/api/auth/sign-out');
    expect(signedOut.status).toBe(204);
    const seen = socket.received.length;
    await alice.send(chatId, 'after you left');
    expect((await closedWithin(socket, 1000)).code).toBe(4001);
    expect(socket.received.slice(seen)).toEqual([]);
  });

  it('closes every socket of every session on sign-out everywhere, and only theirs', async () => {
    const laptop = await caughtUp(bruno);
    const phone = await deviceFor(t, 'bruno@contoso.test');
    const fromPhone = await caughtUp(phone);
    const fromAlice = await caughtUp(alice);
    expect((await bruno.browser.post('/api/auth/sign-out-all')).status).toBe(204);
    const seen = fromPhone.socket.received.length;
    await alice.send(chatId, 'anyone?');
    expect((await closedWithin(laptop.socket, 1000)).code).toBe(4001);
    expect((await closedWithin(fromPhone.socket, 1000)).code).toBe(4001);
    expect(fromPhone.socket.received.slice(seen)).toEqual([]);
    // Alice's own socket still hears her message.
    expect((await fromAlice.socket.nextOf('changes')).changes[0]).toMatchObject({
      type: 'message'
    });
    fromAlice.socket.close();
  });

  it('closes every socket of a member an admin removes, within a second', async () => {
    const laptop = await caughtUp(bruno);
    const phone = await deviceFor(t, 'bruno@contoso.test');
    const fromPhone = await socketFor(phone);
    await fromPhone.nextOf('hello');
    const organizationId = (await alice.browser.get('/api/me')).body?.organization.id as string;
    const removed = await alice.browser.request(
      'DELETE',
      `/api/admin/organizations/${organizationId}/members/${bruno.userId}`,
      {}
    );
    expect(removed.status).toBe(204);
    const seen = laptop.socket.received.length;
    await alice.send(chatId, 'bye');
    expect((await closedWithin(laptop.socket, 1000)).code).toBe(4001);
    expect((await closedWithin(fromPhone, 1000)).code).toBe(4001);
    expect(laptop.socket.received.slice(seen)).toEqual([]);
    await expect(socketFor(bruno)).rejects.toThrow('401');
  });

  it('closes the socket of a session that was signed out by signing in again', async () => {
    const socket = await socketFor(bruno);
    await socket.nextOf('hello');
    await bruno.browser.signIn(t, 'bruno@contoso.test');
    expect((await closedWithin(socket, 1000)).code).toBe(4001);
  });

  it('closes the socket when its session expires', async () => {
    const hash = sessionHashOf(bruno);
    await t.store.tx((tx) =>
      tx
        .update(tables.sessions)
        .set({ expiresAt: new Date(t.clock.now().getTime() + 300) })
        .where(eq(tables.sessions.tokenHash, hash))
    );
    const socket = await socketFor(bruno);
    await socket.nextOf('hello');
    t.clock.advance(1000);
    expect((await closedWithin(socket, 1000)).code).toBe(4001);
  });

  it('keeps the socket of a session that activity extended past its first expiry', async () => {
    const hash = sessionHashOf(bruno);
    const soon = new Date(t.clock.now().getTime() + 200);
    await t.store.tx((tx) =>
      tx.update(tables.sessions).set({ expiresAt: soon }).where(eq(tables.sessions.tokenHash, hash))
    );
    const socket = await socketFor(bruno);
    await socket.nextOf('hello');
    const later = new Date(t.clock.now().getTime() + 60_000);
    await t.store.tx((tx) =>
      tx
        .update(tables.sessions)
        .set({ expiresAt: later })
        .where(eq(tables.sessions.tokenHash, hash))
    );
    t.clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await alice.send(chatId, 'still there');
    expect(await socket.nextOf('poke')).toMatchObject({ type: 'poke' });
    socket.close();
  });

  it(`refuses a session's socket past ${MAX_SOCKETS_PER_SESSION} with 429 too_many_connections`, async () => {
    const sockets = [];
    for (let i = 0; i < MAX_SOCKETS_PER_SESSION; i++) sockets.push(await socketFor(bruno));
    await expect(socketFor(bruno)).rejects.toThrow(/429 .*too_many_connections/);
    // Another browser of the same person still connects; a closed tab frees its place.
    const phone = await deviceFor(t, 'bruno@contoso.test');
    const fromPhone = await socketFor(phone);
    await fromPhone.nextOf('hello');
    sockets[0]?.close();
    await sockets[0]?.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await socketFor(bruno);
    await again.nextOf('hello');
    for (const socket of [...sockets, fromPhone, again]) socket.close();
  });

  it('refuses a person past the per-user cap, whatever the session', async () => {
    const capped = await serveLive(t.services, { maxSocketsPerUser: 2 });
    try {
      const phone = await deviceFor(t, 'bruno@contoso.test');
      const first = await socketFor(bruno, capped);
      const second = await socketFor(phone, capped);
      await expect(socketFor(phone, capped)).rejects.toThrow(/429 .*too_many_connections/);
      // Parallel upgrades that all passed the first count: only the cap's worth stay open.
      first.close();
      second.close();
      await Promise.all([first.closed, second.closed]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const raced = await Promise.allSettled(
        Array.from({ length: 6 }, () => socketFor(bruno, capped))
      );
      const opened = raced.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const outcomes = await Promise.all(
        opened.map((socket) =>
          Promise.race([
            socket.closed.then((closed) => closed.code),
            socket.nextOf('hello').then(() => 'open' as const)
          ])
        )
      );
      expect(outcomes.filter((o) => o === 'open')).toHaveLength(2);
      for (const socket of opened) socket.close();
    } finally {
      await capped.close();
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

  it('closes within a second a socket on instance B when its session signs out on A', async () => {
    const store = await openStore({ databaseUrl: t.databaseUrl, dataDir: os.tmpdir() });
    const instanceB = await serveLive({ ...t.services, store });
    try {
      const { socket } = await caughtUp(bruno, instanceB);
      const phone = await deviceFor(t, 'bruno@contoso.test');
      const fromPhone = await caughtUp(phone, instanceB);
      await bruno.browser.post('/api/auth/sign-out');
      const seen = socket.received.length;
      await alice.send(chatId, 'gone?');
      expect((await closedWithin(socket, 1000)).code).toBe(4001);
      expect(socket.received.slice(seen)).toEqual([]);
      // The other session is still open and hears the message.
      expect((await fromPhone.socket.nextOf('changes')).changes[0]).toMatchObject({
        type: 'message'
      });
      await phone.browser.post('/api/auth/sign-out-all');
      expect((await closedWithin(fromPhone.socket, 1000)).code).toBe(4001);
      // Removal by an admin on instance A closes Chloé's socket on B.
      const chloe = await deviceFor(t, 'chloe@contoso.test');
      const fromChloe = await socketFor(chloe, instanceB);
      await fromChloe.nextOf('hello');
      const organizationId = (await alice.browser.get('/api/me')).body?.organization.id as string;
      await alice.browser.request(
        'DELETE',
        `/api/admin/organizations/${organizationId}/members/${chloe.userId}`,
        {}
      );
      expect((await closedWithin(fromChloe, 1000)).code).toBe(4001);
    } finally {
      await instanceB.close();
      await store.close();
    }
  });
});
