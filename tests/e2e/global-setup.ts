// Builds the client if needed and starts ONE real server (SQLite in a temp dir) for the
// end-to-end suite, sending email through a real SMTP server on loopback; tests read the URL
// with `inject('baseUrl')` and the received mail from `inject('mailDir')` (SMS stays in the
// development outbox: there is no SMS provider to run locally).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMailbox, type Mailbox } from '../support/mailbox.ts';
import { freePort } from '../support/ports.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';

const root = path.resolve(import.meta.dirname, '../..');
let server: ServerProcess | undefined;
let mailbox: Mailbox | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    mailDir: string;
  }
}

export async function setup(project: TestProject) {
  const build = spawnSync('node', ['scripts/build-if-stale.js'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('client build failed');
  mailbox = await startMailbox();
  server = await startServerProcess({
    port: await freePort(),
    name: 'parley-e2e',
    env: { SMTP_URL: mailbox.smtpUrl, MAIL_FROM: 'Parley <no-reply@parley.test>' }
  });
  project.provide('baseUrl', server.baseUrl);
  project.provide('mailDir', mailbox.dir);
}

export async function teardown() {
  await server?.stop();
  await mailbox?.close();
}
