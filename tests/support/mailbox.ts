// A real SMTP server on loopback for the end-to-end suite: the app sends through nodemailer as
// in production, and each message lands as one JSON file in a directory that test files (in
// other processes) read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { to: string[]; subject: string; text: string; receivedAt: number };

export type Mailbox = { smtpUrl: string; dir: string; close: () => Promise<void> };

export async function startMailbox(): Promise<Mailbox> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-mailbox-'));
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            receivedAt: Date.now()
          };
          // Written then renamed: a reader never sees half a file.
          const file = path.join(dir, `${String(++count).padStart(6, '0')}.json`);
          fs.writeFileSync(`${file}.tmp`, JSON.stringify(mail));
          fs.renameSync(`${file}.tmp`, file);
          callback();
        },
        (error: Error) => callback(error)
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP server has no port');
  return {
    smtpUrl: `smtp://127.0.0.1:${address.port}`,
    dir,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Every message received so far for `to`, oldest first. */
export function mailFor(dir: string, to: string): ReceivedMail[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as ReceivedMail)
    .filter((mail) => mail.to.includes(to.toLowerCase()));
}

/**
 * Waits (bounded) for the newest message to `to` received after `since` (epoch ms: take
 * `Date.now()` before the action that sends it, so an older message is never mistaken for it).
 */
export async function waitForMail(
  dir: string,
  to: string,
  options: { since?: number; match?: (mail: ReceivedMail) => boolean; timeoutMs?: number } = {}
): Promise<ReceivedMail> {
  const { since = 0, match = () => true, timeoutMs = 10_000 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = mailFor(dir, to)
      .filter((mail) => mail.receivedAt >= since && match(mail))
      .at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching mail to ${to} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
