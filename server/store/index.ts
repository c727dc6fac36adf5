// Opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL) and migrates it.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as pgSchema from './schema.pg.ts';
import * as sqliteSchema from './schema.sqlite.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The query builder every module writes against; SQLite's builder has the same shape. */
export type Db = PostgresJsDatabase<typeof pgSchema>;

export interface Store {
  readonly dialect: Dialect;
  /** For reads. Writes go through `tx` so that they commit or roll back together. */
  readonly db: Db;
  /**
   * Runs `work` in one transaction. `work` must only await the database: on SQLite every
   * transaction holds the single connection until it ends.
   */
  tx<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs reads that must see only committed data. On SQLite a read outside the queue could run
   * in the middle of another request's open transaction (they share the connection).
   */
  read<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /** Tells every instance's `listen` handlers (PostgreSQL NOTIFY; in-process on SQLite). */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `onPayload` for every `notify` on `channel`, and `onResume` after the listening
   * connection came back (notifications may have been missed meanwhile). Resolves once listening.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onResume?: () => void
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const tables = pgSchema;

const migrationsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export type StoreOptions = {
  /** postgres://… for PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** SQLite `synchronous` pragma: NORMAL is durable across process crashes in WAL mode. */
  sqliteSynchronous?: 'NORMAL' | 'FULL';
};

export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl)
    : openSqlite(path.join(options.dataDir, 'parley.db'), options.sqliteSynchronous ?? 'NORMAL');
}

/** Distinct SQL texts kept compiled; queries with variable-length lists make the tail. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Drizzle compiles every query it runs with `prepare`; compiling is a large part of a small
 * statement's cost, so compiled statements are reused by SQL text (least recently used first out).
 */
function cacheStatements(client: Database.Database) {
  const prepare = client.prepare.bind(client);
  const cache = new Map<string, Database.Statement>();
  client.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
      // Drizzle switches row-returning statements to raw (array) mode for some calls only.
      if (statement.reader) statement.raw(false);
    } else {
      statement = bindBooleansAsIntegers(prepare(source));
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
    }
    cache.set(source, statement);
    return statement;
  }) as typeof client.prepare;
}

/**
 * The query layer is typed and built once, over the Postgres columns (see `tables`), so a
 * boolean reaches SQLite as a JS boolean, which better-sqlite3 refuses: it is bound as 1/0.
 */
function bindBooleansAsIntegers(statement: Database.Statement): Database.Statement {
  const toSqlite = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value);
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method].bind(statement) as (...params: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...params: unknown[]) =>
      params.some((value) => typeof value === 'boolean')
        ? original(...params.map(toSqlite))
        : original(...params);
  }
  return statement;
}

/** Writes waiting behind a running group join it, up to this many or this long. */
const GROUP_MAX_WORKS = 100;
const GROUP_MAX_MS = 5;

type Job = {
  kind: 'read' | 'write';
  work: (db: Db) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

/**
 * One connection serves every request, so work takes turns (better-sqlite3 runs each statement
 * synchronously, which keeps every turn short). Writes that queue up behind each other share
 * one BEGIN … COMMIT (group commit), each in a savepoint of its own: a failing one is rolled
 * back alone, and none is answered before the shared COMMIT. Reads run between groups, so they
 * never see uncommitted data.
 */
function sqliteQueue(client: Database.Database, db: Db) {
  const jobs: Job[] = [];
  let draining = false;

  async function runGroup() {
    const started = performance.now();
    const done: { job: Job; value: unknown }[] = [];
    try {
      client.exec('BEGIN IMMEDIATE');
    } catch (error) {
      jobs.shift()?.reject(error);
      return;
    }
    try {
      for (
        let job = jobs[0];
        job?.kind === 'write' &&
        done.length < GROUP_MAX_WORKS &&
        (done.length === 0 || performance.now() - started < GROUP_MAX_MS);
        job = jobs[0]
      ) {
        jobs.shift();
        client.exec('SAVEPOINT work');
        try {
          done.push({ job, value: await job.work(db) });
          client.exec('RELEASE work');
        } catch (error) {
          job.reject(error);
          // An error SQLite answers by rolling back the whole transaction takes the group down.
          if (!client.inTransaction) throw error;
          client.exec('ROLLBACK TO work');
          client.exec('RELEASE work');
        }
      }
      client.exec('COMMIT');
    } catch (error) {
      if (client.inTransaction) client.exec('ROLLBACK');
      for (const { job } of done) job.reject(error);
      return;
    }
    for (const { job, value } of done) job.resolve(value);
  }

  /** Lets pending I/O (other requests) run first, so that their writes can join the group. */
  const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

  async function drain() {
    try {
      for (let job = jobs[0]; job; job = jobs[0]) {
        if (job.kind === 'write') {
          await yieldToIo();
          await runGroup();
          continue;
        }
        jobs.shift();
        try {
          job.resolve(await job.work(db));
        } catch (error) {
          job.reject(error);
        }
      }
    } finally {
      draining = false;
    }
  }

  return {
    submit<T>(kind: Job['kind'], work: (db: Db) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        jobs.push({ kind, work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) {
          draining = true;
          void drain();
        }
      });
    }
  };
}

const CHECKPOINT_INTERVAL_MS = 100;

/** The checkpointing thread: its own connection, a passive checkpoint every interval. */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

function startCheckpointer(file: string) {
  const worker = new Worker(CHECKPOINTER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      intervalMs: CHECKPOINT_INTERVAL_MS
    }
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => console.error('[store] checkpointer failed', error));
  return {
    async stop() {
      worker.ref(); // keep the process alive until the thread has finished
      worker.postMessage('stop');
      await exited;
    }
  };
}

function openSqlite(file: string, synchronous: 'NORMAL' | 'FULL'): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const client = new Database(file);
  cacheStatements(client);
  client.pragma('journal_mode = WAL');
  client.pragma(`synchronous = ${synchronous}`);
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  // Checkpoints (copying the WAL back into the database file, with its disk syncs) run on a
  // thread of their own; this one only steps in if that thread falls far behind.
  client.pragma('wal_autocheckpoint = 10000');
  client.pragma('journal_size_limit = 67108864');
  const sqliteDb = drizzleSqlite({ client, schema: sqliteSchema });
  migrateSqlite(sqliteDb, { migrationsFolder: path.join(migrationsRoot, 'sqlite') });
  const db = sqliteDb as unknown as Db;

  const queue = sqliteQueue(client, db);
  const checkpointer = startCheckpointer(file);
  // One process owns the file, so notifications never leave it.
  const channels = new EventEmitter();
  channels.setMaxListeners(0);
  return {
    dialect: 'sqlite',
    db,
    tx: (work) => queue.submit('write', work),
    read: (work) => queue.submit('read', work),
    notify(channel, payload) {
      // Listeners run on a later turn, never inside the caller's code.
      setImmediate(() => channels.emit(channel, payload));
      return Promise.resolve();
    },
    listen(channel, onPayload) {
      channels.on(channel, onPayload);
      return Promise.resolve(() => {
        channels.off(channel, onPayload);
        return Promise.resolve();
      });
    },
    async close() {
      channels.removeAllListeners();
      await checkpointer.stop();
      client.close();
    }
  };
}

/** Connections for transactions, each a client of its own (see `openPostgres`). */
const PG_TRANSACTION_CONNECTIONS = 10;
/** Pooled connections for single statements: reads, NOTIFY. */
const PG_STATEMENT_CONNECTIONS = 5;

/**
 * Transactions never share a connection with anything else. postgres.js marks a connection as
 * a transaction's only after sending its BEGIN; when the pool pipelines that BEGIN behind other
 * statements on a busy connection and the socket pushes back, the mark is lost and the driver
 * throws UNSAFE_TRANSACTION (porsager/postgres#823). So each transaction connection is a client
 * with `max: 1`, handed to one transaction at a time, and single statements use another pool,
 * where no BEGIN is ever sent.
 */
function transactionClients(url: string, count: number) {
  const idle = Array.from({ length: count }, () => {
    const client = postgres(url, { max: 1, onnotice: () => undefined });
    return { client, db: drizzlePostgres({ client, schema: pgSchema }) };
  });
  const all = [...idle];
  const waiting: ((connection: (typeof all)[number]) => void)[] = [];
  return {
    async run<T>(work: (db: Db) => Promise<T>): Promise<T> {
      const connection =
        idle.pop() ?? (await new Promise<(typeof all)[number]>((resolve) => waiting.push(resolve)));
      try {
        return await connection.db.transaction(work);
      } finally {
        const next = waiting.shift();
        if (next) next(connection);
        else idle.push(connection);
      }
    },
    end: () => Promise.all(all.map(({ client }) => client.end({ timeout: 5 })))
  };
}

async function openPostgres(url: string): Promise<Store> {
  // Several instances may start at once: one migrates while the others wait on the lock, all
  // on one connection of its own (the lock is the session's).
  const migrator = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await migrator`SELECT pg_advisory_lock(727274)`;
    await migratePostgres(drizzlePostgres({ client: migrator, schema: pgSchema }), {
      migrationsFolder: path.join(migrationsRoot, 'postgres')
    });
    await migrator`SELECT pg_advisory_unlock(727274)`;
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const client = postgres(url, { max: PG_STATEMENT_CONNECTIONS, onnotice: () => undefined });
  const db = drizzlePostgres({ client, schema: pgSchema });
  const transactions = transactionClients(url, PG_TRANSACTION_CONNECTIONS);
  return {
    dialect: 'postgres',
    db,
    tx: (work) => transactions.run(work),
    read: (work) => work(db),
    async notify(channel, payload) {
      await client.notify(channel, payload);
    },
    async listen(channel, onPayload, onResume) {
      let listening = false;
      const listener = await client.listen(channel, onPayload, () => {
        // Called on the first LISTEN and again after every reconnection.
        if (listening) onResume?.();
        listening = true;
      });
      return () => listener.unlisten();
    },
    async close() {
      await Promise.all([transactions.end(), client.end({ timeout: 5 })]);
    }
  };
}

/**
 * A query built once per database handle, then only executed with new placeholder values:
 * building a Drizzle query costs more than running a small one. On SQLite the handle lives as
 * long as the process; on PostgreSQL each transaction has its own, so the query is built once
 * per transaction. `variant` tells apart shapes of one query (e.g. the number of rows).
 */
export function prepared<Q, V extends string | number = never>(
  name: string,
  build: (db: Db, name: string, variant: V) => Q
): (db: Db, variant?: V) => Q {
  const built = new WeakMap<Db, Map<string | number, Q>>();
  return (db, variant) => {
    let queries = built.get(db);
    if (!queries) {
      queries = new Map();
      built.set(db, queries);
    }
    const key = variant ?? '';
    let query = queries.get(key);
    if (!query) {
      query = build(db, variant === undefined ? name : `${name}_${variant}`, variant as V);
      queries.set(key, query);
    }
    return query;
  };
}

/**
 * True for the errors two transactions racing on PostgreSQL can end with (a unique key taken
 * meanwhile, a deadlock, a serialization failure): running the work again gives the real answer.
 */
export function isRaceError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' || code === '40P01' || code === '40001') return true;
  }
  return false;
}

/** True when the database answers a trivial query (health checks). */
export async function ping(store: Store): Promise<boolean> {
  try {
    await store.db
      .select({ one: sql<number>`1` })
      .from(tables.organizations)
      .limit(1);
    return true;
  } catch {
    return false;
  }
}
