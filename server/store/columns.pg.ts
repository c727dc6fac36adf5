// PostgreSQL column helpers: the only place where the Postgres schema differs from SQLite's.
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex
} from 'drizzle-orm/pg-core';

export const columns = {
  table: pgTable,
  text: (name: string) => text(name),
  integer: (name: string) => integer(name),
  /** Counters and epoch milliseconds: 64-bit in Postgres, read as JS numbers. */
  bigint: (name: string) => bigint(name, { mode: 'number' }),
  boolean: (name: string) => boolean(name),
  timestamp: (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }),
  json: (name: string) => jsonb(name),
  index,
  uniqueIndex,
  primaryKey
};

export type Columns = typeof columns;
