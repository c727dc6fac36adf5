import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '$lib/api/client';
import { ParleyDB } from '$lib/db';
import { getMeta } from './outbox';
import type { Clock } from './backoff';
import { SyncEngine, type SyncStatus } from './engine';
import { FakeServer } from './fake-server';
import { sendMessage } from './outbox';
import type { Transport } from './transport';

const ALICE = 'u-alice';
const BRUNO = 'u-bruno';
const opened: ParleyDB[] = [];
const engines: SyncEngine[] = [];

afterEach(async () => {
  engines.splice(0).forEach((e) => e.stop());
  for (const db of opened.splice(0)) await db.delete();
});

function freshDb() {
  const db = new ParleyDB(`engine-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

/** Timers that only fire when the test says so. */
class ManualClock implements Clock {
  timers: { run: () => void; ms: number; id: number }[] = [];
  #next = 0;
  setTimeout = (run: () => void, ms: number) => {
    const id = ++this.#next;
    this.timers.push({ run, ms, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  random = () => 0.5;
  /** Fires the earliest-due retry, returning its delay. */
  fireShortest(): number {
    const timer = [...this.timers].sort((a, b) => a.ms - b.ms)[0];
    if (!timer) throw new Error('no timer');
    this.clearTimeout(timer.id);
    timer.run();
    return timer.ms;
  }
}

function setup(transport?: (server: FakeServer) => Transport) {
  const server = new FakeServer([
    { id: ALICE, name: 'Alice' },
    { id: BRUNO, name: 'Bruno' }
  ]);
  server.addChat('chat-1', [ALICE, BRUNO]);
  const db = freshDb();
  const clock = new ManualClock();
  const statuses: SyncStatus[] = [];
  const onUnauthenticated = vi.fn();
  const engine = new SyncEngine({
    db,
    transport: transport ? transport(server) : server.transport(ALICE),
    userId: ALICE,
    clock,
    onStatus: (s) => statuses.push(s),
    onUnauthenticated
  });
  engines.push(engine);
  return { server, db, clock, engine, statuses, onUnauthenticated };
}

async function settle(engine: SyncEngine) {
  // The outbox watcher and the loop run on microtasks and IndexedDB callbacks.
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.idle();
  }
}

describe('sync engine', () => {
  it('bootstraps, then pushes the outbox in batches of at most 100, in sequence order', async () => {
    const { server, db, engine } = setup();
    await engine.pullAll();
    for (let i = 0; i < 250; i++) await sendMessage(db, 'chat-1', `m${i}`, { userId: ALICE });
    await engine.pushAll();

    expect(server.pushes.map((p) => p.mutations.length)).toEqual([100, 100, 50]);
    const seqs = server.pushes.flatMap((p) => p.mutations.map((m) => m.seq));
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(await db.outbox.count()).toBe(0);
    const stored = await db.messages.orderBy('[chatId+order]').toArray();
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('splits a batch of long messages to stay under the server’s body limit', async () => {
    const { server, db, engine } = setup();
    await engine.pullAll();
    for (let i = 0; i < 60; i++) {
      await sendMessage(db, 'chat-1', `${i} ${'é'.repeat(3990)}`, { userId: ALICE });
    }
    await engine.pushAll();
    const sizes = server.pushes.map((p) => new TextEncoder().encode(JSON.stringify(p)).length);
    expect(Math.max(...sizes)).toBeLessThan(256 * 1024);
    expect(server.messages).toHaveLength(60);
  });

  it('pulls pages until the server has no more, and keeps the cursor', async () => {
    const { server, db, engine } = setup();
    await engine.pullAll();
    const bruno = server.transport(BRUNO);
    const mutations = Array.from({ length: 1200 }, (_, i) => ({
      id: crypto.randomUUID(),
      seq: i + 1,
      at: new Date().toISOString(),
      type: 'message.send' as const,
      args: { chatId: 'chat-1', messageId: `b${i}`, body: `from bruno ${i}` }
    }));
    for (let i = 0; i < mutations.length; i += 100) {
      await bruno.push({ deviceId: 'bruno-phone', mutations: mutations.slice(i, i + 100) });
    }
    await engine.pullAll();
    expect(await db.messages.count()).toBe(1200);
    const lastForAlice = server.changes.filter((c) => c.userId === ALICE).at(-1)?.cursor;
    expect(await getMeta(db, 'cursor', 0)).toBe(lastForAlice);
    expect(await db.chats.get('chat-1')).toMatchObject({ lastSeq: 1200, unread: 1200 });
  });

  it('retries network failures with growing, jittered delays, and sends once back online', async () => {
    let online = false;
    const { server, db, engine, clock, statuses } = setup((s) =>
      s.transport(ALICE, { online: () => online })
    );
    await sendMessage(db, 'chat-1', 'typed offline', { userId: ALICE });
    engine.start();
    await settle(engine);
    expect(statuses.at(-1)?.phase).toBe('offline');

    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      delays.push(clock.fireShortest());
      await settle(engine);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[0]).toBeLessThanOrEqual(1000);
    expect(delays[1]).toBeGreaterThan(delays[0]!);
    expect(delays[2]).toBeGreaterThan(delays[1]!);

    online = true;
    engine.online();
    await settle(engine);
    expect(server.messages.map((m) => m.body)).toEqual(['typed offline']);
    expect((await db.messages.toArray())[0]).toMatchObject({ status: 'sent', seq: 1 });
    expect(statuses.at(-1)?.phase).toBe('idle');
  });

  it('stops and signs out when the server says the session is gone', async () => {
    const { engine, db, onUnauthenticated, statuses } = setup((s) => ({
      ...s.transport(ALICE),
      bootstrap: () => Promise.reject(new ApiError(401, 'unauthenticated', 'Sign in'))
    }));
    await sendMessage(db, 'chat-1', 'kept', { userId: ALICE });
    engine.start();
    await settle(engine);
    expect(onUnauthenticated).toHaveBeenCalledOnce();
    expect(statuses.at(-1)?.phase).toBe('stopped');
    // The message stays on the device for when the same person signs in again.
    expect(await db.outbox.count()).toBe(1);
  });

  it('resends after a crash once the server had committed, and the message is stored once', async () => {
    const server = new FakeServer([{ id: ALICE, name: 'Alice' }]);
    server.addChat('chat-1', [ALICE]);
    const db = freshDb();
    const honest = server.transport(ALICE);
    const crashing: Transport = {
      ...honest,
      push: async (body) => {
        await honest.push(body);
        throw new NetworkError('the tab was closed before the answer arrived');
      }
    };
    await sendMessage(db, 'chat-1', 'exactly once', { userId: ALICE });
    const first = new SyncEngine({ db, transport: crashing, userId: ALICE });
    await expect(first.pushAll()).rejects.toThrow(NetworkError);
    expect(await db.outbox.count()).toBe(1);

    const afterReload = new SyncEngine({ db, transport: honest, userId: ALICE });
    await afterReload.pushAll();
    await afterReload.pullAll();
    expect(server.messages).toHaveLength(1);
    expect(await db.messages.toArray()).toMatchObject([{ body: 'exactly once', status: 'sent' }]);
  });

  it('starts a new device sequence when the mutations before its outbox are gone', async () => {
    const { server, db, engine } = setup();
    await engine.pullAll();
    // The device counter says 5, but 1–4 never reached this server (restored backup, lost rows).
    await db.meta.put({ key: 'nextSeq', value: 5 });
    await sendMessage(db, 'chat-1', 'after the gap', { userId: ALICE });
    await engine.pushAll();
    expect(server.messages.map((m) => m.body)).toEqual(['after the gap']);
    expect(server.pushes.at(-1)?.mutations[0]?.seq).toBe(1);
    expect(await db.outbox.count()).toBe(0);
  });

  it('applies changes the WebSocket carries when caught up, and acks them', async () => {
    const server = new FakeServer([
      { id: ALICE, name: 'Alice' },
      { id: BRUNO, name: 'Bruno' }
    ]);
    server.addChat('chat-1', [ALICE, BRUNO]);
    const db = freshDb();
    const sockets: FakeSocket[] = [];
    const engine = new SyncEngine({
      db,
      transport: server.transport(ALICE),
      userId: ALICE,
      socketUrl: () => 'ws://test/api/sync/ws',
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      }
    });
    engines.push(engine);
    engine.start();
    const socket = sockets[0]!;
    socket.open();
    socket.receive({ type: 'hello', cursor: server.cursor });
    await settle(engine);
    const cursor = await getMeta(db, 'cursor', 0);
    expect(socket.sent.at(-1)).toEqual({ type: 'ack', cursor });

    await server.transport(BRUNO).push({
      deviceId: 'bruno-phone',
      mutations: [
        {
          id: 'm1',
          seq: 1,
          at: new Date().toISOString(),
          type: 'message.send',
          args: { chatId: 'chat-1', messageId: 'live', body: 'real time' }
        }
      ]
    });
    const change = server.changes.filter((c) => c.userId === ALICE).at(-1)!;
    socket.receive({ type: 'changes', after: cursor, changes: [change] });
    await settle(engine);
    expect((await db.messages.get('live'))?.body).toBe('real time');
    expect(socket.sent.at(-1)).toEqual({ type: 'ack', cursor: change.cursor });
  });
});

class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(event: unknown) {
    this.onmessage?.({ data: JSON.stringify(event) });
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
}
