// SQLite column helpers, shaped like the Postgres ones so that one table definition serves both.
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex
} from 'drizzle-orm/sqlite-core';
import type { Columns } from './columns.pg.ts';

const sqliteColumns = {
  table: sqliteTable,
  text: (name: string) => text(name),
  integer: (name: string) => integer(name),
  bigint: (name: string) => integer(name),
  boolean: (name: string) => integer(name, { mode: 'boolean' }),
  timestamp: (name: string) => integer(name, { mode: 'timestamp_ms' }),
  json: (name: string) => text(name, { mode: 'json' }),
  index,
  uniqueIndex,
  primaryKey
};

// The query layer is typed once, against Postgres; the builders agree at run time (same names,
// same value types: Date, boolean, number, JSON), which is what this cast asserts.
export const columns = sqliteColumns as unknown as Columns;
