// Sending each user's new changes to their sockets on this instance, in order and without
// repeats: the changes themselves to a device known to be caught up (up to a page), a poke to
// the others, which then pull. The hub (hub.ts) owns the sockets and calls in here.
import type { WebSocket } from 'ws';
import type { ServerEvent } from '../../common/protocol.ts';
import { currentCursor, readChanges, type ChangeNotice } from '../domain/sync/changes.ts';
import type { Store } from '../store/index.ts';

/** Changes sent inline at most; a device further behind is poked and pulls. */
const MAX_INLINE_CHANGES = 100;
/** A socket that cannot drain this much is dropped: the device reconnects and pulls. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export type Connection = {
  socket: WebSocket;
  userId: string;
  tokenHash: string;
  /** Cursor the device has (acked, or sent since): null until its first ack. */
  known: number | null;
  /** Highest cursor this socket was poked for (one poke per change is enough). */
  poked: number;
  alive: boolean;
  /** The page said it is hidden: push notifications reach its browser (until it shows again). */
  hidden: boolean;
  /** Fires when the session expires. */
  expiry: NodeJS.Timeout | null;
};

export function changeDelivery(store: Store, byUser: Map<string, Set<Connection>>) {
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

  return {
    send,
    schedule,
    announce,
    pokeEveryone,
    /** The highest cursor announced for a user with sockets here (0 if none). */
    latest: (userId: string) => announced.get(userId) ?? 0,
    /** The user has no socket here any more. */
    forget: (userId: string) => announced.delete(userId)
  };
}
