// PostgreSQL column helpers: the only place where the Postgres schema differs from SQLite's.
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex
} from 'drizzle-orm/pg-core';

/**
 * A boolean read the same from both engines: PostgreSQL answers true/false, SQLite 1/0 (the
 * query layer runs these Postgres columns on SQLite too; SQLite's statements bind a JS boolean
 * as 1/0, see `store/index.ts`).
 */
const portableBoolean = customType<{ data: boolean; driverData: boolean | number }>({
  dataType: () => 'boolean',
  fromDriver: (value) => value === true || value === 1
});

export const columns = {
  table: pgTable,
  text: (name: string) => text(name),
  integer: (name: string) => integer(name),
  /** Counters and epoch milliseconds: 64-bit in Postgres, read as JS numbers. */
  bigint: (name: string) => bigint(name, { mode: 'number' }),
  boolean: (name: string) => portableBoolean(name),
  timestamp: (name: string) => timestamp(name, { withTimezone: true, mode: 'date' }),
  json: (name: string) => jsonb(name),
  index,
  uniqueIndex,
  primaryKey
};

export type Columns = typeof columns;
