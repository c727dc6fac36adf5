// Builds the client if needed and starts ONE real server (SQLite in a temp dir, dev outbox) for
// the end-to-end suite; tests read its URL with `inject('baseUrl')`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const root = path.resolve(import.meta.dirname, '../..');
let server: ChildProcess | undefined;
let dataDir: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export async function setup(project: TestProject) {
  const build = spawnSync('node', ['scripts/build-if-stale.js'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('client build failed');

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  const port = 4100 + Math.floor(Math.random() * 800);
  const baseUrl = `http://localhost:${port}`;
  server = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      PUBLIC_URL: baseUrl,
      NODE_ENV: 'test',
      DATABASE_URL: ''
    },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    const healthy = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false
    );
    if (healthy) break;
    if (Date.now() > deadline) throw new Error('server did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  project.provide('baseUrl', baseUrl);
}

export async function teardown() {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
