// `npm run bench -- --only push`: a message to a 100-member group whose members have three
// subscribed devices each (300 pushes to a receiver on loopback that checks and decrypts each
// one, tests/support/push-receiver.ts), against the same message to a group without any: what
// the pushes add to the sender's answer, and how long until the 300th push has arrived.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tokenHash, randomToken } from '../server/domain/secrets.ts';
import { SESSION_LIFETIME_MS } from '../server/domain/sessions.ts';
import { openStore, tables } from '../server/store/index.ts';
import { PushReceiver } from '../tests/support/push-receiver.ts';
import { Device, HttpClient } from './client.ts';
import { median, type Row } from './report.ts';
import { seedPeople, startServer, type BenchUser } from './server.ts';

const MEMBERS = 100;
const DEVICES_PER_MEMBER = 3;
const ROUNDS = 30;

export type PushRun = { gainP50: number; plainP50: number; lastPushP50: number };

async function seedGroups(
  dataDir: string,
  sender: BenchUser,
  subscribed: BenchUser[],
  plain: BenchUser[],
  receiver: PushReceiver
): Promise<{ withPushes: string; without: string }> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    const now = new Date();
    const groups = { withPushes: randomUUID(), without: randomUUID() };
    await store.tx(async (tx) => {
      for (const [chatId, members] of [
        [groups.withPushes, subscribed],
        [groups.without, plain]
      ] as const) {
        await tx.insert(tables.chats).values({
          id: chatId,
          kind: 'group',
          name: 'Bench group',
          createdBy: sender.id,
          createdAt: now,
          lastSeq: 0
        });
        await tx
          .insert(tables.chatMembers)
          .values(
            [sender, ...members].map((m) => ({ chatId, userId: m.id, joinedAt: now, readSeq: 0 }))
          );
      }
      // Each subscribed member has three signed-in browsers, each with its subscription.
      for (const member of subscribed) {
        for (let d = 0; d < DEVICES_PER_MEMBER; d++) {
          const hash = tokenHash(randomToken());
          await tx.insert(tables.sessions).values({
            tokenHash: hash,
            userId: member.id,
            createdAt: now,
            lastSeenAt: now,
            expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
          });
          const { json } = receiver.subscription();
          await tx.insert(tables.pushSubscriptions).values({
            id: randomUUID(),
            endpoint: json.endpoint,
            p256dh: json.keys.p256dh,
            auth: json.keys.auth,
            userId: member.id,
            sessionHash: hash,
            createdAt: now,
            updatedAt: now
          });
        }
      }
    });
    return groups;
  } finally {
    await store.close();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function pushScenario(runs: number, log: (line: string) => void): Promise<PushRun[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-push-'));
  const keys = await import('web-push').then((m) => m.default.generateVAPIDKeys());
  const receiver = await new PushReceiver(keys.publicKey).start();
  const server: { stop(): Promise<void> } = { stop: () => Promise.resolve() };
  try {
    const [sender, ...others] = await seedPeople(dataDir, 1 + 2 * MEMBERS);
    if (!sender) throw new Error('no sender');
    const groups = await seedGroups(
      dataDir,
      sender,
      others.slice(0, MEMBERS),
      others.slice(MEMBERS),
      receiver
    );
    const running = await startServer(dataDir, 'NORMAL', {
      env: { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey }
    });
    server.stop = () => running.stop();
    const http = new HttpClient(running.origin, 4);
    const device = new Device(http, sender);
    const expected = MEMBERS * DEVICES_PER_MEMBER;
    const result: PushRun[] = [];
    for (let run = 0; run <= runs; run++) {
      const gains: number[] = [];
      const plains: number[] = [];
      const lasts: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        plains.push(await timed(() => device.push([device.send(groups.without, 'hello')])));
        const before = receiver.received.length;
        const started = performance.now();
        const answer = await timed(() =>
          device.push([device.send(groups.withPushes, `push ${randomBytes(4).toString('hex')}`)])
        );
        gains.push(answer - (plains.at(-1) ?? 0));
        while (receiver.received.length < before + expected) {
          if (performance.now() - started > 30_000) throw new Error('pushes did not all arrive');
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        lasts.push(performance.now() - started);
      }
      if (receiver.problems.length > 0) throw new Error(receiver.problems[0]);
      // The first run warms up (compiled code, prepared statements) and is not counted.
      if (run === 0) continue;
      const figures = {
        gainP50: median(gains),
        plainP50: median(plains),
        lastPushP50: median(lasts)
      };
      log(
        `  run ${run}/${runs}: answer +${figures.gainP50.toFixed(2)} ms over ` +
          `${figures.plainP50.toFixed(2)} ms, 300th push after ${figures.lastPushP50.toFixed(0)} ms`
      );
      result.push(figures);
    }
    http.close();
    return result;
  } finally {
    await server.stop();
    await receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Web Push figures (stable `--json` keys), median of the runs. */
export async function webPushFigures(runCount: number, log: (line: string) => void) {
  log('A message to a 100-member group with 3 subscribed devices each (300 pushes):');
  const runs = await pushScenario(runCount, log);
  return {
    push_answer_gain_p50_ms: Number(median(runs.map((r) => r.gainP50)).toFixed(2)),
    push_answer_plain_p50_ms: Number(median(runs.map((r) => r.plainP50)).toFixed(2)),
    push_300th_p50_ms: Number(median(runs.map((r) => r.lastPushP50)).toFixed(0))
  };
}

export function webPushRows(figures: Awaited<ReturnType<typeof webPushFigures>>): Row[] {
  return [
    [
      `web push: what 300 pushes add to the sender's answer (over ${figures.push_answer_plain_p50_ms} ms), p50`,
      `${figures.push_answer_gain_p50_ms} ms`,
      '≤ 1 ms'
    ],
    ['web push: until the 300th push is received, p50', `${figures.push_300th_p50_ms} ms`, '≤ 1 s']
  ];
}
