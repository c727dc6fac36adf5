// Opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL) and migrates it.
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

function openSqlite(file: string, synchronous: 'NORMAL' | 'FULL'): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const client = new Database(file);
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
  return {
    dialect: 'sqlite',
    db,
    tx<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
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
      queue = run.catch(() => undefined);
      return run;
    },
    close() {
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
    async close() {
      await client.end({ timeout: 5 });
    }
  };
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
