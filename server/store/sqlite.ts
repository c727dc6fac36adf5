// The embedded SQLite store: one connection, writes queued and grouped into shared commits, WAL
// checkpoints on a thread of their own, notifications in process.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import * as sqliteSchema from './schema.sqlite.ts';
import { migrationsRoot, type Db, type Store } from './store.ts';

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

export function openSqlite(file: string, synchronous: 'NORMAL' | 'FULL'): Store {
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
