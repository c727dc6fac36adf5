// Opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL) and migrates it.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
    }
    cache.set(source, statement);
    return statement;
  }) as typeof client.prepare;
}

function openSqlite(file: string, synchronous: 'NORMAL' | 'FULL'): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const client = new Database(file);
  cacheStatements(client);
  client.pragma('journal_mode = WAL');
  client.pragma(`synchronous = ${synchronous}`);
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  const sqliteDb = drizzleSqlite({ client, schema: sqliteSchema });
  migrateSqlite(sqliteDb, { migrationsFolder: path.join(migrationsRoot, 'sqlite') });
  const db = sqliteDb as unknown as Db;

  // One connection serves every request, so transactions take turns; better-sqlite3 runs each
  // statement synchronously, which keeps every turn short.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };
  // One process owns the file, so notifications never leave it.
  const channels = new EventEmitter();
  channels.setMaxListeners(0);
  return {
    dialect: 'sqlite',
    db,
    tx<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      return enqueue(async () => {
        client.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(db);
          client.exec('COMMIT');
          return result;
        } catch (error) {
          if (client.inTransaction) client.exec('ROLLBACK');
          throw error;
        }
      });
    },
    read: (work) => enqueue(() => work(db)),
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
    close() {
      channels.removeAllListeners();
      client.close();
      return Promise.resolve();
    }
  };
}

async function openPostgres(url: string): Promise<Store> {
  const client = postgres(url, { max: 10, onnotice: () => undefined });
  const db = drizzlePostgres({ client, schema: pgSchema });
  // Several instances may start at once: one migrates while the others wait on the lock.
  await client.begin(async (lockTx) => {
    await lockTx`SELECT pg_advisory_xact_lock(727274)`;
    await migratePostgres(db, { migrationsFolder: path.join(migrationsRoot, 'postgres') });
  });
  return {
    dialect: 'postgres',
    db,
    tx: (work) => db.transaction(work),
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
      await client.end({ timeout: 5 });
    }
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
