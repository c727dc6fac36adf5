// Concurrent pushes on PostgreSQL over loopback HTTP: no answer may be a 5xx (issue 9, item 14:
// postgres.js threw UNSAFE_TRANSACTION when a transaction's BEGIN was pipelined onto a pooled
// connection busy with single statements). Bounded: 2,000 pushes, at most three minutes.
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation, MutationResult } from '../../common/protocol.ts';
import { ORIGIN, startTestApp, type TestApp } from '../support/harness.ts';

const DEVICES = 50;
const PUSHES_PER_DEVICE = 40;
const PEOPLE = ['alice@contoso.test', 'bruno@contoso.test', 'chloe@contoso.test'];

let t: TestApp;
let server: ServerType;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  server = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

/** One device of a signed-in person, pushing over HTTP one request at a time, in order. */
class HttpDevice {
  readonly id = randomUUID();
  private seq = 0;
  constructor(private readonly cookie: string) {}

  mutation(type: Mutation['type'], args: Mutation['args']): Mutation {
    const at = new Date().toISOString();
    return { id: randomUUID(), seq: ++this.seq, at, type, args } as Mutation;
  }

  async push(mutations: Mutation[]): Promise<{ status: number; results?: MutationResult[] }> {
    const response = await fetch(`${base}/api/sync/push`, {
      method: 'POST',
      headers: { origin: ORIGIN, cookie: this.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: this.id, mutations })
    });
    const body = (await response.json().catch(() => null)) as {
      results?: MutationResult[];
    } | null;
    return { status: response.status, ...(body?.results && { results: body.results }) };
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('pushes on PostgreSQL under load', () => {
  it(`answers ${DEVICES * PUSHES_PER_DEVICE} pushes from ${DEVICES} devices at once without a 5xx`, async () => {
    const people: { id: string; cookie: string }[] = [];
    for (const email of PEOPLE) {
      const browser = t.browser();
      const user = await browser.signIn(t, email);
      people.push({ id: user.id as string, cookie: browser.sessionCookie ?? '' });
    }
    const devices = Array.from(
      { length: DEVICES },
      (_, i) => new HttpDevice(people[i % people.length]?.cookie ?? '')
    );
    const [creator] = devices as [HttpDevice];
    const chatId = randomUUID();
    const created = await creator.push([
      creator.mutation('chat.createGroup', {
        chatId,
        name: 'Load',
        memberIds: people.slice(1).map((p) => p.id)
      })
    ]);
    expect(created.results?.[0]?.status).toBe('applied');

    const statuses = new Map<number, number>();
    let applied = 0;
    const started = performance.now();
    await Promise.all(
      devices.map(async (device, d) => {
        for (let i = 0; i < PUSHES_PER_DEVICE; i++) {
          const body = `load ${d}.${i}`;
          const mutation = device.mutation('message.send', {
            chatId,
            messageId: randomUUID(),
            body
          });
          // A device pushes again what was not answered, as the client does.
          for (;;) {
            const answer = await device.push([mutation]);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (answer.status < 500) {
              if (answer.results?.[0]?.status === 'applied') applied++;
              break;
            }
          }
        }
      })
    );
    const seconds = (performance.now() - started) / 1000;
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[load] ${total} pushes in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s):`,
      Object.fromEntries(statuses)
    );
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(applied).toBe(DEVICES * PUSHES_PER_DEVICE);
  }, 120_000);
});
