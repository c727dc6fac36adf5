// What every store is, whichever the dialect: the interface sqlite.ts and postgres.ts implement,
// the query builder type every module writes against, and where the migrations live.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type * as pgSchema from './schema.pg.ts';

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

export const migrationsRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../drizzle'
);
