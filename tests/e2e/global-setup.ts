// Builds the client if needed and starts ONE real server (SQLite in a temp dir, dev outbox) for
// the end-to-end suite; tests read its URL with `inject('baseUrl')`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
let server: ServerProcess | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export async function setup(project: TestProject) {
  const build = spawnSync('node', ['scripts/build-if-stale.js'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('client build failed');
  server = await startServerProcess({
    port: 4100 + Math.floor(Math.random() * 800),
    name: 'parley-e2e'
  });
  project.provide('baseUrl', server.baseUrl);
}

export async function teardown() {
  await server?.stop();
}
