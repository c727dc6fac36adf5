// Real time: a WebSocket per device at /api/sync/ws. The hub keeps this instance's sockets by
// user and, whenever a commit (here or on another instance) grows a user's change log, sends
// their sockets the changes themselves (when the device is known to be caught up) or a poke.
// A socket lives no longer than its session: sign-out, removal (heard from any instance) and
// expiry close it at once.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import { parse as parseCookies } from 'hono/utils/cookie';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { findSession, type SignedIn } from '../domain/sessions.ts';
import { currentCursor } from '../domain/sync/changes.ts';
import type { Services } from '../http/context.ts';
import { isOwnOrigin, SESSION_COOKIE } from '../http/guards.ts';
import { tables } from '../store/index.ts';
import { changeDelivery, type Connection } from './delivery.ts';
import { listenForChanges, listenForEndedSessions, type EndedSessions } from './feed.ts';

export const WS_PATH = '/api/sync/ws';

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

const SESSION_CHECK_BATCH = 500;
/** Sockets one session (one browser) may hold open on an instance: tabs, with room to spare. */
export const MAX_SOCKETS_PER_SESSION = 10;
/** Sockets one person may hold open on an instance, all their devices together. */
export const MAX_SOCKETS_PER_USER = 50;
/** Close code of a socket whose session ended (signed out, removed, expired). */
export const SESSION_ENDED_CLOSE = 4001;
/** Close code of a socket over the caps (when the check before the handshake was raced). */
export const TOO_MANY_CONNECTIONS_CLOSE = 4029;
/** setTimeout's longest delay; a later expiry is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const ClientEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ack'), cursor: z.number().int().min(0) }),
  z.object({ type: z.literal('visibility'), visible: z.boolean() })
]);

export type RealtimeOptions = {
  /** Ping period; a socket silent for two periods is dropped, and sessions are re-checked. */
  heartbeatMs?: number;
  /** Caps on open sockets (tests lower them). */
  maxSocketsPerSession?: number;
  maxSocketsPerUser?: number;
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
  const bySession = new Map<string, Set<Connection>>();
  const changes = changeDelivery(store, byUser);
  const { announce, schedule, pokeEveryone, send } = changes;

  const unlisten = await listenForChanges(store, announce, () => {
    pokeEveryone().catch((error: unknown) => console.error('[realtime] resume failed', error));
  });
  // Notices missed while the listening connection was down: the session check catches up.
  const unlistenSessions = await listenForEndedSessions(store, endSessions, () => {
    checkSessions().catch((error: unknown) => console.error('[realtime] resume failed', error));
  });

  function onClientMessage(conn: Connection, data: RawData) {
    let event: z.infer<typeof ClientEventSchema>;
    try {
      event = ClientEventSchema.parse(JSON.parse(textOf(data)));
    } catch {
      conn.socket.close(
        1008,
        'Expected {"type":"ack","cursor":n} or {"type":"visibility","visible":b}.'
      );
      return;
    }
    if (event.type === 'visibility') {
      conn.hidden = !event.visible;
      return;
    }
    conn.known = Math.max(conn.known ?? 0, event.cursor);
    // Behind what was announced (e.g. it acked a pull that missed the last change): catch it up.
    const latest = changes.latest(conn.userId);
    if (conn.known < latest) schedule(conn.userId, latest);
  }

  const countOf = (map: Map<string, Set<Connection>>, key: string) => map.get(key)?.size ?? 0;

  const perSession = options.maxSocketsPerSession ?? MAX_SOCKETS_PER_SESSION;
  const perUser = options.maxSocketsPerUser ?? MAX_SOCKETS_PER_USER;
  /** Why another socket of this session may not open here, if it may not. */
  function overCap(userId: string, tokenHash: string): string | null {
    if (countOf(bySession, tokenHash) >= perSession) {
      return `At most ${perSession} connections per signed-in browser. Close a tab.`;
    }
    if (countOf(byUser, userId) >= perUser) {
      return `At most ${perUser} connections per person. Close some tabs or devices.`;
    }
    return null;
  }

  function addTo(map: Map<string, Set<Connection>>, key: string, conn: Connection) {
    const set = map.get(key);
    if (set) set.add(conn);
    else map.set(key, new Set([conn]));
  }

  function removeFrom(map: Map<string, Set<Connection>>, key: string, conn: Connection) {
    const set = map.get(key);
    set?.delete(conn);
    if (set?.size === 0) map.delete(key);
  }

  /** Forgets a socket: nothing is sent to it any more. */
  function detach(conn: Connection) {
    if (conn.expiry) clearTimeout(conn.expiry);
    conn.expiry = null;
    removeFrom(bySession, conn.tokenHash, conn);
    removeFrom(byUser, conn.userId, conn);
    if (!byUser.has(conn.userId)) changes.forget(conn.userId);
  }

  /** Closes a socket whose session ended; it is detached first, so no delivery can follow. */
  function endConnection(conn: Connection) {
    detach(conn);
    conn.socket.close(SESSION_ENDED_CLOSE, 'Session ended.');
  }

  function endSessions(ended: Required<EndedSessions>) {
    const conns = [
      ...ended.tokenHashes.flatMap((hash) => [...(bySession.get(hash) ?? [])]),
      ...ended.userIds.flatMap((id) => [...(byUser.get(id) ?? [])])
    ];
    for (const conn of conns) endConnection(conn);
  }

  /** Closes the socket when its session expires, unless activity has extended the session. */
  function watchExpiry(conn: Connection, expiresAt: Date) {
    const delay = Math.max(0, Math.min(expiresAt.getTime() - now().getTime(), MAX_TIMER_MS));
    conn.expiry = setTimeout(() => {
      conn.expiry = null;
      sessionExpiry(conn.tokenHash)
        .then((current) => {
          if (!bySession.get(conn.tokenHash)?.has(conn)) return;
          if (current === null || current.getTime() <= now().getTime()) endConnection(conn);
          else watchExpiry(conn, current);
        })
        .catch((error: unknown) => console.error('[realtime] expiry check failed', error));
    }, delay);
    conn.expiry.unref();
  }

  async function sessionExpiry(tokenHash: string): Promise<Date | null> {
    const { sessions } = tables;
    const [row] = await store.read((db) =>
      db
        .select({ expiresAt: sessions.expiresAt })
        .from(sessions)
        .where(eq(sessions.tokenHash, tokenHash))
        .limit(1)
    );
    return row?.expiresAt ?? null;
  }

  async function connected(socket: WebSocket, signedIn: SignedIn) {
    const userId = signedIn.user.id;
    const { tokenHash } = signedIn;
    // Counted again now that the handshake is done: parallel upgrades all passed the first check.
    const refusal = overCap(userId, tokenHash);
    if (refusal) {
      socket.on('error', () => socket.terminate());
      socket.close(TOO_MANY_CONNECTIONS_CLOSE, 'too_many_connections');
      return;
    }
    const conn: Connection = {
      socket,
      userId,
      tokenHash,
      known: null,
      poked: 0,
      alive: true,
      hidden: false,
      expiry: null
    };
    addTo(byUser, userId, conn);
    addTo(bySession, tokenHash, conn);
    watchExpiry(conn, signedIn.expiresAt);
    socket.on('pong', () => {
      conn.alive = true;
    });
    socket.on('message', (data) => onClientMessage(conn, data));
    socket.on('error', () => socket.terminate());
    socket.on('close', () => detach(conn));
    // Registered before reading the cursor: a change committed from here on is announced.
    const cursor = await store.read((db) => currentCursor(db, userId));
    // `hello` already says "pull up to here": announcements up to it (late ones from another
    // instance, say) need no poke.
    conn.poked = Math.max(conn.poked, cursor);
    send(conn, { type: 'hello', cursor });
  }

  /** Drops sockets that stopped answering, then re-checks sessions. */
  async function heartbeat() {
    for (const set of byUser.values()) {
      for (const conn of set) {
        if (!conn.alive) {
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
    }
    await checkSessions();
  }

  /**
   * Closes sockets whose session is gone or expired, or whose person was removed. Sign-out and
   * removal are announced and expiry is timed; this catches a notice that never arrived.
   */
  async function checkSessions() {
    const hashes = [...bySession.keys()];
    const valid = new Set<string>();
    const { sessions, users } = tables;
    for (let i = 0; i < hashes.length; i += SESSION_CHECK_BATCH) {
      const batch = hashes.slice(i, i + SESSION_CHECK_BATCH);
      const rows = await store.read((db) =>
        db
          .select({ tokenHash: sessions.tokenHash })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(
            and(
              inArray(sessions.tokenHash, batch),
              gt(sessions.expiresAt, now()),
              isNull(users.removedAt)
            )
          )
      );
      for (const row of rows) valid.add(row.tokenHash);
    }
    for (const hash of hashes) {
      if (valid.has(hash)) continue;
      for (const conn of [...(bySession.get(hash) ?? [])]) endConnection(conn);
    }
  }
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => console.error('[realtime] heartbeat failed', error));
  }, options.heartbeatMs ?? 30_000);
  timer.unref();

  function refuse(socket: Duplex, status: number, code: string, message: string) {
    const body = JSON.stringify({ error: { code, message } });
    const reason =
      status === 401
        ? 'Unauthorized'
        : status === 403
          ? 'Forbidden'
          : status === 429
            ? 'Too Many Requests'
            : 'Not Found';
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
    const tooMany = overCap(signedIn.user.id, signedIn.tokenHash);
    if (tooMany) return refuse(socket, 429, 'too_many_connections', tooMany);
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      connected(ws, signedIn).catch((error: unknown) => {
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
    /**
     * Whether a session (a browser) shows the app on this instance: a socket whose page did not
     * say it is hidden. Push notifications skip it.
     */
    showing: (tokenHash: string) =>
      [...(bySession.get(tokenHash) ?? [])].some((conn) => !conn.hidden),
    /** Sockets open on this instance. */
    get connections() {
      let count = 0;
      for (const set of byUser.values()) count += set.size;
      return count;
    },
    async close() {
      clearInterval(timer);
      await unlisten();
      await unlistenSessions();
      for (const set of [...byUser.values()]) {
        for (const conn of [...set]) {
          detach(conn);
          conn.socket.close(1001, 'Server shutting down.');
        }
      }
      wss.close();
    }
  };
}
