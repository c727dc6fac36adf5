// The server under test: a database seeded from here (people and sessions written straight
// into the SQLite file, so that ten thousand sign-ins take a second), then the real server
// (`server/main.ts`) as a child process on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomToken, tokenHash } from '../server/domain/secrets.ts';
import { SESSION_LIFETIME_MS } from '../server/domain/sessions.ts';
import { SESSION_COOKIE } from '../server/http/guards.ts';
import { seedDemo } from '../server/seed.ts';
import { openStore, tables } from '../server/store/index.ts';
import { freePort } from '../tests/support/ports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type BenchUser = { id: string; cookie: string };

/** Migrates a fresh database in `dataDir` and adds `count` colleagues, each signed in once. */
export async function seedPeople(dataDir: string, count: number): Promise<BenchUser[]> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    await seedDemo(store);
    const [organization] = await store.db.select().from(tables.organizations).limit(1);
    if (!organization) throw new Error('no organization after seeding');
    const now = new Date();
    const people = Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      token: randomToken(),
      email: `bench${i}@contoso.test`,
      name: `Bench Person ${i}`
    }));
    for (let start = 0; start < people.length; start += 500) {
      const chunk = people.slice(start, start + 500);
      await store.tx(async (tx) => {
        await tx.insert(tables.users).values(
          chunk.map((p) => ({
            id: p.id,
            organizationId: organization.id,
            role: 'member' as const,
            name: p.name,
            email: p.email,
            emailKey: p.email,
            createdAt: now
          }))
        );
        await tx.insert(tables.sessions).values(
          chunk.map((p) => ({
            tokenHash: tokenHash(p.token),
            userId: p.id,
            createdAt: now,
            lastSeenAt: now,
            expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
          }))
        );
      });
    }
    return people.map((p) => ({ id: p.id, cookie: `${SESSION_COOKIE}=${p.token}` }));
  } finally {
    await store.close();
  }
}

export type BenchServer = {
  origin: string;
  pid: number;
  /** Resident memory of the server process, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
};

/** Starts `server/main.ts` on 127.0.0.1 over the database in `dataDir`. */
export async function startServer(
  dataDir: string,
  synchronous: 'NORMAL' | 'FULL',
  options: { profileDir?: string; env?: Record<string, string> } = {}
): Promise<BenchServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', 'server/main.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: origin,
        SQLITE_SYNCHRONOUS: synchronous,
        DATABASE_URL: '',
        ...options.env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('server has no pid');
  return {
    origin,
    pid,
    rssMb() {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
}
