// Opens the database (embedded SQLite by default, PostgreSQL with DATABASE_URL) and migrates it;
// the helpers every query module shares. Each dialect's store is in its own file.
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openPostgres } from './postgres.ts';
import * as pgSchema from './schema.pg.ts';
import { openSqlite } from './sqlite.ts';
import type { Db, Store } from './store.ts';

export type { Db, Dialect, Store } from './store.ts';

export const tables = pgSchema;

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
