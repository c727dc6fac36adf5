// Starts the real server (`server/main.ts`) as a child process on SQLite in a temp directory and
// waits for its health check: for the end-to-end suite and the client benchmark.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export type ServerProcess = { baseUrl: string; stop: () => Promise<void> };

export async function startServerProcess(options: {
  port: number;
  name: string;
  /** More environment for the server, e.g. `SMTP_URL`. */
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-`));
  const baseUrl = `http://localhost:${options.port}`;
  const server = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      PUBLIC_URL: baseUrl,
      NODE_ENV: 'test',
      DATABASE_URL: '',
      ...options.env
    },
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) {
      await stop();
      throw new Error(`server exited with ${server.exitCode}`);
    }
    const healthy = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false
    );
    if (healthy) return { baseUrl, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error('server did not start within 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
