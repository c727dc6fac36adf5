// Real time: a WebSocket per device at /api/sync/ws. The hub keeps this instance's sockets by
// user and, whenever a commit (here or on another instance) grows a user's change log, sends
// their sockets the changes themselves (when the device is known to be caught up) or a poke.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { and, gt, inArray } from 'drizzle-orm';
import { parse as parseCookies } from 'hono/utils/cookie';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { ServerEvent } from '../../src/lib/sync/protocol.ts';
import { findSession } from '../domain/sessions.ts';
import { currentCursor, readChanges, type ChangeNotice } from '../domain/sync/changes.ts';
import type { Services } from '../http/context.ts';
import { isOwnOrigin, SESSION_COOKIE } from '../http/guards.ts';
import { tables } from '../store/index.ts';
import { listenForChanges } from './feed.ts';

export const WS_PATH = '/api/sync/ws';

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Changes sent inline at most; a device further behind is poked and pulls. */
const MAX_INLINE_CHANGES = 100;
/** A socket that cannot drain this much is dropped: the device reconnects and pulls. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const SESSION_CHECK_BATCH = 500;

const ClientEventSchema = z.object({
  type: z.literal('ack'),
  cursor: z.number().int().min(0)
});

type Connection = {
  socket: WebSocket;
  userId: string;
  tokenHash: string;
  /** Cursor the device has (acked, or sent since): null until its first ack. */
  known: number | null;
  /** Highest cursor this socket was poked for (one poke per change is enough). */
  poked: number;
  alive: boolean;
};

export type RealtimeOptions = {
  /** Ping period; a socket silent for two periods is dropped, and sessions are re-checked. */
  heartbeatMs?: number;
};

export type Realtime = Awaited<ReturnType<typeof startRealtime>>;

export async function startRealtime(services: Services, options: RealtimeOptions = {}) {
  const { store, now } = services;
  const publicOrigin = services.config.publicUrl;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: 4 * 1024,
    perMessageDeflate: false
  });
  const byUser = new Map<string, Set<Connection>>();
  /** Per user with sockets here: the highest cursor announced. */
  const announced = new Map<string, number>();
  /** Per user: the highest announced cursor not yet delivered. */
  const pending = new Map<string, number>();
  const delivering = new Set<string>();

  const send = (conn: Connection, event: ServerEvent | string) => {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    if (conn.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.socket.terminate();
      return;
    }
    conn.socket.send(typeof event === 'string' ? event : JSON.stringify(event));
  };

  function schedule(userId: string, cursor: number) {
    pending.set(userId, Math.max(cursor, pending.get(userId) ?? 0));
    void deliverLoop(userId);
  }

  function announce(notices: ChangeNotice[]) {
    for (const { userId, cursor } of notices) {
      if (!byUser.has(userId)) continue;
      announced.set(userId, Math.max(cursor, announced.get(userId) ?? 0));
      schedule(userId, cursor);
    }
  }

  /** One delivery at a time per user, so that sockets get changes in order and without repeats. */
  async function deliverLoop(userId: string) {
    if (delivering.has(userId)) return;
    delivering.add(userId);
    try {
      for (let cursor = pending.get(userId); cursor !== undefined; cursor = pending.get(userId)) {
        pending.delete(userId);
        await deliver(userId, cursor);
      }
    } catch (error) {
      console.error('[realtime] delivery failed', error);
    } finally {
      delivering.delete(userId);
    }
  }

  async function deliver(userId: string, cursor: number) {
    const conns = byUser.get(userId);
    if (!conns) return;
    const byKnown = new Map<number, Connection[]>();
    for (const conn of conns) {
      if (conn.known === null) {
        if (conn.poked < cursor) send(conn, { type: 'poke', cursor });
        conn.poked = Math.max(conn.poked, cursor);
      } else if (conn.known < cursor) {
        const group = byKnown.get(conn.known);
        if (group) group.push(conn);
        else byKnown.set(conn.known, [conn]);
      }
    }
    for (const [after, group] of byKnown) {
      const page = await store.read((db) => readChanges(db, userId, after, MAX_INLINE_CHANGES));
      const event = page.hasMore
        ? JSON.stringify({
            type: 'poke',
            cursor: Math.max(cursor, page.cursor)
          } satisfies ServerEvent)
        : JSON.stringify({ type: 'changes', after, changes: page.changes } satisfies ServerEvent);
      for (const conn of group) {
        // An ack may have moved the device on while we read.
        if (conn.known !== after || page.changes.length === 0) continue;
        send(conn, event);
        if (!page.hasMore) conn.known = page.cursor;
      }
    }
  }

  /** After the listening connection came back: what was announced meanwhile is lost, so poke all. */
  async function pokeEveryone() {
    for (const [userId, conns] of byUser) {
      const cursor = await store.read((db) => currentCursor(db, userId));
      for (const conn of conns) send(conn, { type: 'poke', cursor });
    }
  }

  const unlisten = await listenForChanges(store, announce, () => {
    pokeEveryone().catch((error: unknown) => console.error('[realtime] resume failed', error));
  });

  function onClientMessage(conn: Connection, data: RawData) {
    let event: z.infer<typeof ClientEventSchema>;
    try {
      event = ClientEventSchema.parse(JSON.parse(textOf(data)));
    } catch {
      conn.socket.close(1008, 'Expected {"type":"ack","cursor":n}.');
      return;
    }
    conn.known = Math.max(conn.known ?? 0, event.cursor);
    // Behind what was announced (e.g. it acked a pull that missed the last change): catch it up.
    const latest = announced.get(conn.userId) ?? 0;
    if (conn.known < latest) schedule(conn.userId, latest);
  }

  async function connected(socket: WebSocket, userId: string, tokenHash: string) {
    const conn: Connection = { socket, userId, tokenHash, known: null, poked: 0, alive: true };
    let conns = byUser.get(userId);
    if (!conns) {
      conns = new Set();
      byUser.set(userId, conns);
    }
    conns.add(conn);
    socket.on('pong', () => {
      conn.alive = true;
    });
    socket.on('message', (data) => onClientMessage(conn, data));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => {
      const set = byUser.get(userId);
      set?.delete(conn);
      if (set?.size === 0) {
        byUser.delete(userId);
        announced.delete(userId);
      }
    });
    // Registered before reading the cursor: a change committed from here on is announced.
    const cursor = await store.read((db) => currentCursor(db, userId));
    // `hello` already says "pull up to here": announcements up to it (late ones from another
    // instance, say) need no poke.
    conn.poked = Math.max(conn.poked, cursor);
    send(conn, { type: 'hello', cursor });
  }

  /** Drops sockets that stopped answering and those whose session ended (sign-out, expiry). */
  async function heartbeat() {
    const all = [...byUser.values()].flatMap((set) => [...set]);
    for (const conn of all) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
    const hashes = [...new Set(all.map((conn) => conn.tokenHash))];
    const valid = new Set<string>();
    const { sessions } = tables;
    for (let i = 0; i < hashes.length; i += SESSION_CHECK_BATCH) {
      const batch = hashes.slice(i, i + SESSION_CHECK_BATCH);
      const rows = await store.read((db) =>
        db
          .select({ tokenHash: sessions.tokenHash })
          .from(sessions)
          .where(and(inArray(sessions.tokenHash, batch), gt(sessions.expiresAt, now())))
      );
      for (const row of rows) valid.add(row.tokenHash);
    }
    for (const conn of all) {
      if (!valid.has(conn.tokenHash)) conn.socket.close(4001, 'Session ended.');
    }
  }
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => console.error('[realtime] heartbeat failed', error));
  }, options.heartbeatMs ?? 30_000);
  timer.unref();

  function refuse(socket: Duplex, status: number, code: string, message: string) {
    const body = JSON.stringify({ error: { code, message } });
    const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    );
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0];
    if (path !== WS_PATH) return refuse(socket, 404, 'not_found', 'No WebSocket here.');
    const encrypted = 'encrypted' in socket && socket.encrypted === true;
    const requestOrigin = `${encrypted ? 'https' : 'http'}://${request.headers.host ?? ''}`;
    if (!isOwnOrigin(request.headers.origin, publicOrigin, requestOrigin)) {
      return refuse(socket, 403, 'cross_site_request', 'Requests from other sites are refused.');
    }
    const token = parseCookies(request.headers.cookie ?? '', SESSION_COOKIE)[SESSION_COOKIE];
    const signedIn = token ? await findSession(store, token, now()) : null;
    if (!signedIn) return refuse(socket, 401, 'unauthenticated', 'Sign in to continue.');
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      connected(ws, signedIn.user.id, signedIn.tokenHash).catch((error: unknown) => {
        console.error('[realtime] connection failed', error);
        ws.terminate();
      });
    });
  }

  return {
    /** The HTTP server's 'upgrade' listener. */
    handleUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgrade(request, socket, head).catch((error: unknown) => {
        console.error('[realtime] upgrade failed', error);
        socket.destroy();
      });
    },
    /** Sockets open on this instance. */
    get connections() {
      let count = 0;
      for (const set of byUser.values()) count += set.size;
      return count;
    },
    async close() {
      clearInterval(timer);
      await unlisten();
      for (const set of byUser.values()) {
        for (const conn of set) conn.socket.close(1001, 'Server shutting down.');
      }
      byUser.clear();
      wss.close();
    }
  };
}
