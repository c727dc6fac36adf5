// The PostgreSQL store: a client per transaction connection, a pool for single statements,
// migrations under an advisory lock, notifications by LISTEN/NOTIFY across instances.
import path from 'node:path';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as pgSchema from './schema.pg.ts';
import { migrationsRoot, type Db, type Store } from './store.ts';

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

export async function openPostgres(url: string): Promise<Store> {
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
