// Model test of message requests across an organization border: the real client sync code on
// the sender's two devices and the recipient's one, against the real server in-process, driven
// by fast-check command sequences (fc.commands) with devices going offline and coming back,
// crashes after a commit, and the admins of both sides flipping their switches and the cap.
// Invariants (../../shared/PRODUCT.md, Message requests and the pre-acceptance cap):
// - never more than the cap stored from the sender to the person before they accept;
// - nothing typed is lost: every message typed is stored on the server, or visibly refused on
//   the device that typed it (refused when queued, or "Not sent" with the server's reason);
// - no duplicates: each message is stored once and shown once on every device.
//
// By default the sender may open more requests to the same person, by email and by phone, from
// either device: the cap then counts per pair of people across all of them. MODEL_PAIR_CAP=0
// keeps them to one request (the cap per chat). MODEL_RUNS sets the number of sequences.
// The world is in requests-world.ts, the reference model and its commands in requests-model.ts.
import 'fake-indexeddb/auto';
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../server/store/index.ts';
import { addQueueRule } from '../../src/lib/sync/outbox.ts';
import { requestCapRule } from '../../src/lib/sync/requests.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { checkCap, command, PAIR_CAP, type Model } from './requests-model.ts';
import { newWorld, startRequest, storedBeforeAcceptance, type World } from './requests-world.ts';

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 25);
/** Short sequences: the cap is small (1–3), so a few sends go past it. */
const MAX_COMMANDS = 14;

let t: TestApp;
let removeCapRule: () => void;

beforeAll(async () => {
  t = await startTestApp();
  // The app registers the device's cap rule at start (src/lib/state/chats.svelte.ts).
  removeCapRule = addQueueRule(requestCapRule);
}, 60_000);

afterAll(async () => {
  removeCapRule?.();
  await t?.close();
});

/** Everyone back online, every loop run until nothing moves; then the end-state invariants. */
async function settle(world: World) {
  const { devices, typed } = world;
  for (const d of devices) d.network.online = true;
  for (let round = 0; round < 2; round++) {
    for (const d of devices) await d.sync();
  }
  for (const d of devices) expect(await d.db.outbox.count(), d.label).toBe(0);

  const { messages } = tables;
  const queued = typed.flatMap((m) => (m.messageId ? [m.messageId] : []));
  const stored =
    queued.length === 0
      ? []
      : await t.store.db.select().from(messages).where(inArray(messages.id, queued));
  const onServer = new Map(stored.map((m) => [m.id, m]));

  for (const message of typed) {
    const label = `${message.body} (${message.device.label})`;
    if (message.messageId === null) {
      // Refused before it was queued: the composer said why and kept the text.
      expect(message.localRefusal?.code, label).toBe('cap_reached');
      continue;
    }
    const copies = await message.device.db.messages.where('id').equals(message.messageId).toArray();
    expect(copies, label).toHaveLength(1);
    const server = onServer.get(message.messageId);
    if (server) {
      expect(server.body, label).toBe(message.body);
      expect(copies[0]?.status, label).toBe('sent');
    } else {
      // Not stored: "Not sent" on the device that typed it, with the server's reason.
      expect(copies[0], label).toMatchObject({
        status: 'failed',
        refusal: { code: expect.any(String) }
      });
    }
  }

  // The server never stored a text twice (a retry under a new id would).
  const bodies = stored.map((m) => m.body);
  expect(new Set(bodies).size).toBe(bodies.length);

  // A cap_reached from the server means the cap was really reached.
  const stillCapped = await storedBeforeAcceptance(world);
  if (stillCapped !== null) {
    for (const d of devices.slice(0, 2)) {
      const capped = await d.db.messages
        .filter((m) => m.status === 'failed' && m.refusal?.code === 'cap_reached')
        .count();
      if (capped > 0) expect(stillCapped, d.label).toBeGreaterThanOrEqual(world.lowestCap);
    }
  }

  // Each device shows what the server holds, once, in the server's order: the sender's
  // devices every chat they are in, the recipient the requests they accepted.
  for (const d of devices) {
    const chats = await d.db.chats.toArray();
    for (const chat of chats) {
      if (!chat.server || chat.movedTo || !chat.active) continue;
      if (d === devices[2] && chat.request?.state !== 'accepted') continue;
      const expected = await t.store.db
        .select({ id: messages.id, seq: messages.seq })
        .from(messages)
        .where(eq(messages.chatId, chat.id));
      const shown = await d.db.messages
        .where('[chatId+order]')
        .between([chat.id, 0], [chat.id, Infinity])
        .filter((m) => m.status === 'sent')
        .toArray();
      expect(
        shown.map((m) => `${m.seq}:${m.id}`),
        `${d.label} in ${chat.id}`
      ).toEqual(
        expected
          .map((m) => ({ seq: Number(m.seq), id: m.id }))
          .sort((x, y) => x.seq - y.seq)
          .map((m) => `${m.seq}:${m.id}`)
      );
    }
  }
}

describe('request model: sender, recipient and both admins', () => {
  it(
    PAIR_CAP
      ? 'never stores more than the cap per pair across requests, loses nothing, duplicates nothing'
      : 'never stores more than the cap in a request, loses nothing, duplicates nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 3 }),
          // Mostly the sender's second device already shows the request (phone and laptop).
          fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
          fc.commands([command], { maxCommands: MAX_COMMANDS, size: '+1' }),
          async (cap, bothDevices, sequence) => {
            const world = await newWorld(t, cap);
            try {
              // The request the sequence is about, sent and shown to the recipient.
              await startRequest(world, world.devices[0], world.recipient.email, cap);
              await world.devices[0].sync();
              if (bothDevices) await world.devices[1].sync();
              await world.devices[2].sync();
              const model: Model = { cap, outbound: true, inbound: true, starts: 1 };
              await fc.asyncModelRun(() => ({ model, real: world }), sequence);
              await settle(world);
              await checkCap(model, world);
            } finally {
              for (const d of world.devices) await d.close();
            }
          }
        ),
        { numRuns: NUM_RUNS }
      );
    },
    Math.max(120_000, NUM_RUNS * 1_000)
  );
});
