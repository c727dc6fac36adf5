// Model test of the whole chat engine: the real client sync code (Dexie on fake-indexeddb, outbox,
// push/pull) against the real server in-process, driven by random command lists with faults.
// Invariants: every message typed is delivered exactly once or visibly "Not sent"; every device
// ends with the same messages in the same order.
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParleyDB } from '../../src/lib/db/index.ts';
import { enqueue, sendMessage } from '../../src/lib/sync/outbox.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { contosoId } from '../support/external.ts';
import { Device, newMember } from './devices.ts';

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 40);

let t: TestApp;
let runNumber = 0;
let contoso: string;

beforeAll(async () => {
  t = await startTestApp();
  contoso = await contosoId(t);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

type Command =
  | { type: 'send'; device: number; kind: 'ok' | 'empty' | 'tooLong' }
  | { type: 'sendFromSecondTab'; device: number }
  | { type: 'sync'; device: number }
  | { type: 'offline'; device: number }
  | { type: 'online'; device: number }
  | { type: 'duplicate'; device: number }
  | { type: 'crashBeforeAck'; device: number }
  | { type: 'crashAfterCommit'; device: number }
  | { type: 'secondDevice' };

const device = fc.integer({ min: 0, max: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      type: fc.constant('send' as const),
      device,
      kind: fc.constantFrom<('ok' | 'empty' | 'tooLong')[]>(
        'ok',
        'ok',
        'ok',
        'ok',
        'empty',
        'tooLong'
      )
    })
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('sendFromSecondTab' as const), device }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('sync' as const), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('offline' as const), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('online' as const), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('duplicate' as const), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('crashBeforeAck' as const), device }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('crashAfterCommit' as const), device }) },
  { weight: 1, arbitrary: fc.constant({ type: 'secondDevice' as const }) }
);

type Typed = { messageId: string; device: string; expect: 'delivered' | 'refused' };

async function run(commands: Command[]) {
  // People of its own for every run: a device's first sync never carries earlier runs' chats.
  const n = ++runNumber;
  const people = {
    alice: await newMember(t, contoso, { name: 'Alice', email: `alice.${n}@contoso.test` }),
    bruno: await newMember(t, contoso, { name: 'Bruno', email: `bruno.${n}@contoso.test` })
  };
  const alice1 = new Device('alice-1', people.alice);
  const bruno1 = new Device('bruno-1', people.bruno);
  const devices: Device[] = [alice1, bruno1];
  const typed: Typed[] = [];
  let counter = 0;
  try {
    // Every run talks in a chat of its own, created on Alice's first device.
    const chatId = crypto.randomUUID();
    await enqueue(
      alice1.db,
      { type: 'chat.createGroup', args: { chatId, name: 'Model', memberIds: [people.bruno.id] } },
      { userId: people.alice.id }
    );
    await alice1.sync();

    const pick = (index: number) => devices[index % devices.length]!;
    const type = async (target: Device, db: ParleyDB, kind: 'ok' | 'empty' | 'tooLong') => {
      const tag = `${target.label} #${++counter}`;
      const body = kind === 'ok' ? tag : kind === 'empty' ? '   ' : `${tag} ${'x'.repeat(4001)}`;
      const result = await sendMessage(db, chatId, body, { userId: target.person.id });
      if (!result.ok) throw new Error('no local rule should refuse here');
      const row = await db.outbox.get(result.seq);
      if (row?.type !== 'message.send') throw new Error('the mutation is not in the outbox');
      typed.push({
        messageId: row.args.messageId,
        device: target.label,
        expect: kind === 'ok' ? 'delivered' : 'refused'
      });
    };

    for (const c of commands) {
      if (c.type === 'secondDevice') {
        if (!devices.some((d) => d.label === 'alice-2')) {
          devices.push(new Device('alice-2', people.alice));
        }
        continue;
      }
      const target = pick(c.device);
      switch (c.type) {
        case 'send':
          await type(target, target.db, c.kind);
          break;
        case 'sendFromSecondTab':
          await type(target, target.tab, 'ok');
          break;
        case 'sync':
          await target.sync();
          break;
        case 'offline':
          target.network.online = false;
          break;
        case 'online':
          target.network.online = true;
          break;
        case 'duplicate':
          target.network.fault = 'duplicate';
          await target.sync();
          target.network.fault = null;
          break;
        case 'crashBeforeAck':
        case 'crashAfterCommit':
          target.network.fault = c.type === 'crashBeforeAck' ? 'dropRequest' : 'dropResponse';
          await target.sync();
          target.network.fault = null;
          target.restart();
          break;
      }
    }

    // The network comes back for everyone; the loops run until nothing moves.
    for (const d of devices) d.network.online = true;
    for (let round = 0; round < 3; round++) {
      for (const d of devices) await d.sync();
    }

    // Nothing is left waiting, anywhere.
    for (const d of devices) expect(await d.db.outbox.count(), d.label).toBe(0);

    // Every message typed: delivered exactly once on every device, or "Not sent" on its own.
    const views = await Promise.all(
      devices.map(async (d) => ({
        device: d,
        messages: await d.db.messages
          .where('[chatId+order]')
          .between([chatId, 0], [chatId, Infinity])
          .toArray()
      }))
    );
    for (const message of typed) {
      for (const { device: d, messages } of views) {
        const copies = messages.filter((m) => m.id === message.messageId);
        if (message.expect === 'delivered') {
          expect(copies, `${message.device} → ${d.label}`).toHaveLength(1);
          expect(copies[0]?.status).toBe('sent');
        } else if (d.label === message.device) {
          expect(copies).toHaveLength(1);
          expect(copies[0]).toMatchObject({
            status: 'failed',
            refusal: { code: expect.any(String) }
          });
        } else {
          expect(copies).toHaveLength(0);
        }
      }
    }

    // The same messages in the same order everywhere, numbered by the server without holes.
    const sent = views.map(({ messages }) =>
      messages.filter((m) => m.status === 'sent').map((m) => `${m.seq}:${m.id}`)
    );
    const delivered = typed.filter((m) => m.expect === 'delivered').length;
    for (const list of sent) {
      expect(list).toEqual(sent[0]);
      expect(list.map((entry) => Number(entry.split(':')[0]))).toEqual(
        Array.from({ length: delivered }, (_, i) => i + 1)
      );
    }
  } finally {
    for (const d of devices) await d.close();
  }
}

describe('sync model: client and server together', () => {
  it(
    'delivers every message exactly once or marks it Not sent, in one order on every device',
    async () => {
      await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 18 }), run), {
        numRuns: NUM_RUNS
      });
    },
    Math.max(180_000, NUM_RUNS * 1_000)
  );
});
