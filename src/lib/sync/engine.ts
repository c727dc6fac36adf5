// The sync loop of one device: pushes the outbox, pulls changes, listens on the WebSocket, and
// retries with backoff. It only ever writes to IndexedDB; the UI reads from there.
import Dexie from 'dexie';
import { ApiError, NetworkError } from '$lib/api/client';
import { isClosedError, reopen, type OutboxRow, type ParleyDB } from '$lib/db';
import { applyBootstrap, applyChanges, applyResults } from './apply';
import { getMeta } from './outbox';
import { backoffDelay, realClock, type Clock } from './backoff';
import { MAX_PUSH_BATCH, type Mutation, type ServerEvent } from '$common/protocol';
import { LiveSocket, type SocketLike } from './socket';
import type { Transport } from './transport';

export const PULL_PAGE = 1000;
/** Well under the server's 256 KB body limit: 100 long messages would not fit in one push. */
export const MAX_PUSH_BYTES = 128 * 1024;
/** Without a live socket, changes are still picked up this often. */
export const POLL_MS = 30_000;

export type SyncPhase = 'idle' | 'syncing' | 'offline' | 'error' | 'stopped';

export interface SyncStatus {
  phase: SyncPhase;
  /** Code of the error that stopped the loop (`phase: 'error'`). */
  error: string | null;
  /** Whether the real-time socket is open. */
  live: boolean;
}

export interface EngineOptions {
  db: ParleyDB;
  transport: Transport;
  userId: string;
  /** URL of the WebSocket; without it the engine only polls (tests). */
  socketUrl?: () => string;
  createSocket?: (url: string) => SocketLike;
  clock?: Clock;
  onStatus?: (status: SyncStatus) => void;
  /** The server said the session is gone (401): the loop has stopped. */
  onUnauthenticated?: () => void;
}

/** What the loop must do next; a request made while it runs is served after the current step. */
interface Wanted {
  pull: boolean;
  push: boolean;
}

export class SyncEngine {
  readonly #db: ParleyDB;
  readonly #transport: Transport;
  readonly #userId: string;
  readonly #clock: Clock;
  readonly #options: EngineOptions;
  readonly #socket: LiveSocket | null;
  #wanted: Wanted = { pull: false, push: false };
  #running: Promise<void> | null = null;
  #started = false;
  #attempt = 0;
  #retryTimer: unknown = null;
  #pollTimer: unknown = null;
  #unsubscribeOutbox: (() => void) | null = null;
  #status: SyncStatus = { phase: 'stopped', error: null, live: false };

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#db = options.db;
    this.#transport = options.transport;
    this.#userId = options.userId;
    this.#clock = options.clock ?? realClock;
    this.#socket = options.socketUrl
      ? new LiveSocket({
          url: options.socketUrl,
          create: options.createSocket,
          clock: this.#clock,
          onOpen: () => this.#setStatus({ live: true }),
          onClose: () => this.#setStatus({ live: false }),
          onEvent: (event) => void this.#onServerEvent(event)
        })
      : null;
  }

  get status(): SyncStatus {
    return this.#status;
  }

  /** Starts the loop: pull, push, listen. Watches the outbox, so mutations from any tab go out. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#setStatus({ phase: 'idle', error: null });
    this.#socket?.start();
    const subscription = Dexie.liveQuery(() => this.#db.outbox.count()).subscribe({
      next: (count) => {
        if (count > 0) this.request({ push: true });
      },
      error: () => undefined
    });
    this.#unsubscribeOutbox = () => subscription.unsubscribe();
    this.request({ pull: true, push: true });
    this.#schedulePoll();
  }

  stop(): void {
    this.#started = false;
    this.#socket?.stop();
    this.#unsubscribeOutbox?.();
    this.#unsubscribeOutbox = null;
    for (const timer of [this.#retryTimer, this.#pollTimer]) {
      if (timer !== null) this.#clock.clearTimeout(timer);
    }
    this.#retryTimer = this.#pollTimer = null;
    this.#setStatus({ phase: 'stopped', live: false });
  }

  /** The network came back: retry at once instead of waiting out the backoff. */
  online(): void {
    if (!this.#started) return;
    this.#attempt = 0;
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#socket?.reconnectNow();
    this.request({ pull: true, push: true });
  }

  /** Asks the loop to pull and/or push soon. */
  request(what: Partial<Wanted>): void {
    this.#wanted.pull ||= what.pull ?? false;
    this.#wanted.push ||= what.push ?? false;
    if (!this.#started || this.#running || this.#retryTimer !== null) return;
    this.#running = this.#loop().finally(() => (this.#running = null));
  }

  /** Resolves when the loop has nothing left to do (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    this.#setStatus({ phase: 'syncing' });
    while (this.#started && (this.#wanted.pull || this.#wanted.push)) {
      const wanted = this.#wanted;
      this.#wanted = { pull: false, push: false };
      try {
        if (wanted.pull) await this.pullAll();
        if (wanted.push) await this.pushAll();
        this.#attempt = 0;
      } catch (error) {
        // Whatever failed is tried again as a whole: both steps are safe to repeat.
        this.#wanted.pull ||= wanted.pull;
        this.#wanted.push ||= wanted.push;
        await this.#failed(error);
        return;
      }
    }
    if (this.#started) this.#setStatus({ phase: 'idle', error: null });
  }

  async #failed(error: unknown): Promise<void> {
    if (error instanceof ApiError && error.status === 401) {
      this.stop();
      this.#options.onUnauthenticated?.();
      return;
    }
    if (error instanceof ApiError && error.code === 'device_taken') {
      // Our id is somebody else's on the server: take a new one and go on at once.
      await this.#newDevice();
      this.#retry(0);
      return;
    }
    if (isClosedError(error)) {
      await reopen(this.#db).catch(() => undefined);
      this.#retry(this.#nextDelay());
      return;
    }
    const transient =
      error instanceof NetworkError ||
      (error instanceof ApiError && (error.status >= 500 || error.status === 429));
    if (transient) {
      const wait =
        error instanceof ApiError && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : this.#nextDelay();
      this.#setStatus({ phase: 'offline' });
      this.#retry(wait);
      return;
    }
    // A 4xx on the whole request: repeating it cannot help until something changes (sign-in,
    // app update). The loop waits for `online()` or a restart.
    this.#setStatus({
      phase: 'error',
      error: error instanceof ApiError ? error.code : 'client_error'
    });
  }

  #nextDelay(): number {
    return backoffDelay(this.#attempt++, this.#clock.random);
  }

  #retry(ms: number): void {
    if (!this.#started) return;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      this.request({});
    }, ms);
  }

  #schedulePoll(): void {
    if (!this.#started) return;
    this.#pollTimer = this.#clock.setTimeout(() => {
      this.#pollTimer = null;
      if (!this.#socket?.connected) this.request({ pull: true });
      this.#schedulePoll();
    }, POLL_MS);
  }

  async #onServerEvent(event: ServerEvent): Promise<void> {
    if (event.type === 'changes') {
      try {
        const cursor = await getMeta(this.#db, 'cursor', 0);
        const bootstrapped = await getMeta(this.#db, 'bootstrapped', false);
        if (bootstrapped && event.after === cursor && event.changes.length > 0) {
          const last = Math.max(...event.changes.map((c) => c.cursor));
          await applyChanges(this.#db, event.changes, last, this.#userId);
          this.#socket?.send({ type: 'ack', cursor: last });
          return;
        }
      } catch {
        // Fall through to a pull, which repeats the work safely.
      }
      this.request({ pull: true });
      return;
    }
    // hello (every connect) and poke: pull from our cursor; the pull acks when done.
    const cursor = await getMeta(this.#db, 'cursor', 0).catch(() => 0);
    if (event.type === 'hello' || event.cursor > cursor) this.request({ pull: true });
  }

  async #deviceId(): Promise<string> {
    return this.#db.transaction('rw', this.#db.meta, async () => {
      const existing = await getMeta(this.#db, 'deviceId', '');
      if (existing) return existing;
      const id = crypto.randomUUID();
      await this.#db.meta.put({ key: 'deviceId', value: id });
      return id;
    });
  }

  /**
   * A fresh device id with the outbox renumbered from 1: for when the server cannot accept our
   * sequence any more (the id is taken, or mutations before the outbox's first were lost).
   * Mutation and message ids are kept, so anything the server already has is not stored twice.
   */
  async #newDevice(): Promise<void> {
    await this.#db.transaction('rw', this.#db.outbox, this.#db.meta, async () => {
      const rows = await this.#db.outbox.orderBy('seq').toArray();
      await this.#db.outbox.clear();
      await this.#db.outbox.bulkAdd(rows.map((row, index) => ({ ...row, seq: index + 1 })));
      await this.#db.meta.bulkPut([
        { key: 'deviceId', value: crypto.randomUUID() },
        { key: 'nextSeq', value: rows.length + 1 }
      ]);
    });
  }

  /** Pushes the whole outbox in batches of at most 100 (and 128 KB), in sequence order. */
  async pushAll(): Promise<void> {
    let gapsInARow = 0;
    for (;;) {
      const deviceId = await this.#deviceId();
      const queued = await this.#db.outbox.orderBy('seq').limit(MAX_PUSH_BATCH).toArray();
      if (queued.length === 0) return;
      const rows = withinBytes(queued, MAX_PUSH_BYTES);
      const mutations = rows.map(toMutation);
      await this.#db.outbox.bulkUpdate(
        rows.map((r) => ({ key: r.seq, changes: { state: 'sending' } }))
      );
      const { results } = await this.#transport.push({ deviceId, mutations });
      const outcome = await applyResults(this.#db, mutations, results, this.#userId);
      if (!outcome.gap) {
        gapsInARow = 0;
        continue;
      }
      // The server misses mutations before ours. If some of the batch went through, another push
      // was racing ours: send again from the earliest still queued. If none did twice running,
      // the missing ones are gone from this device: start a new device sequence.
      if (outcome.applied + outcome.rejected > 0) continue;
      if (++gapsInARow >= 2) {
        await this.#newDevice();
        gapsInARow = 0;
      }
    }
  }

  /** First sync: bootstrap. Then pull pages until the server has nothing more. */
  async pullAll(): Promise<void> {
    if (!(await getMeta(this.#db, 'bootstrapped', false))) {
      const boot = await this.#transport.bootstrap();
      await applyBootstrap(this.#db, boot, this.#userId);
    }
    for (;;) {
      const cursor = await getMeta(this.#db, 'cursor', 0);
      const page = await this.#transport.pull(cursor, PULL_PAGE);
      await applyChanges(this.#db, page.changes, page.cursor, this.#userId);
      if (!page.hasMore || page.cursor <= cursor) break;
    }
    this.#socket?.send({ type: 'ack', cursor: await getMeta(this.#db, 'cursor', 0) });
  }

  #setStatus(patch: Partial<SyncStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.#options.onStatus?.(this.#status);
  }
}

/** The longest prefix of `rows` whose JSON fits in `limit` bytes (always at least one row). */
function withinBytes(rows: OutboxRow[], limit: number): OutboxRow[] {
  const encoder = new TextEncoder();
  let bytes = 0;
  let count = 0;
  for (const row of rows) {
    bytes += encoder.encode(JSON.stringify(toMutation(row))).length + 1;
    if (count > 0 && bytes > limit) break;
    count++;
  }
  return rows.slice(0, count);
}

function toMutation(row: OutboxRow): Mutation {
  return { id: row.id, seq: row.seq, at: row.at, type: row.type, args: row.args } as Mutation;
}
