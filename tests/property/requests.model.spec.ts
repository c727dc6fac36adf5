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
// By default the sender writes in one request (the cap per chat). MODEL_PAIR_CAP=1 lets them
// open more requests to the same person, by email and by phone, from either device: the cap
// then counts per pair of people across all of them. MODEL_RUNS sets the number of sequences.
import 'fake-indexeddb/auto';
import { randomUUID } from 'node:crypto';
import { and, count, eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../server/store/index.ts';
import type { ChatRow, Refusal } from '../../src/lib/db/index.ts';
import { addQueueRule, enqueue, sendMessage } from '../../src/lib/sync/outbox.ts';
import { isIncomingRequest, requestCapRule } from '../../src/lib/sync/requests.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { Device, newMember, type Person } from './devices.ts';

const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 25);
const PAIR_CAP = process.env.MODEL_PAIR_CAP !== '0';
/** Short sequences: the cap is small (1–3), so a few sends go past it. */
const MAX_COMMANDS = 14;

let t: TestApp;
let removeCapRule: () => void;
let runNumber = 0;

beforeAll(async () => {
  t = await startTestApp();
  // The app registers the device's cap rule at start (src/lib/state/chats.svelte.ts).
  removeCapRule = addQueueRule(requestCapRule);
}, 60_000);

afterAll(async () => {
  removeCapRule?.();
  await t?.close();
});

/** Everything one sequence runs against: two organizations of its own, their people, devices. */
type World = {
  senderOrg: { id: string; admin: Browser; name: string };
  recipientOrg: { id: string; admin: Browser };
  sender: Person;
  recipient: Person & { email: string; phone: string };
  /** The sender's two devices, then the recipient's one. */
  devices: [Device, Device, Device];
  typed: Typed[];
  /** Messages from the sender to the recipient stored before acceptance, after the last command. */
  stored: number;
  /** Every message of the sender's stored, after the last command. */
  written: number;
  /** The lowest cap in force during the run (a cap_reached must have reached at least that). */
  lowestCap: number;
  counter: number;
};

type Typed = {
  body: string;
  device: Device;
  /** The id queued, or null when the device refused to queue it (with the reason shown). */
  messageId: string | null;
  localRefusal: Refusal | null;
};

type Model = { cap: number; outbound: boolean; inbound: boolean; starts: number };

/** A new organization with its domain, written to the store (no sign-up: thousands of runs). */
async function addOrganization(name: string, domain: string, cap: number) {
  const id = randomUUID();
  const now = t.clock.now();
  await t.store.tx(async (tx) => {
    await tx
      .insert(tables.organizations)
      .values({ id, name, defaultRegion: 'FR', requestCap: cap, createdAt: now });
    await tx
      .insert(tables.organizationDomains)
      .values({ domain, organizationId: id, createdAt: now });
  });
  return id;
}

async function newWorld(cap: number): Promise<World> {
  const n = ++runNumber;
  const a = `a${n}.test`;
  const b = `b${n}.test`;
  const senderOrgId = await addOrganization(`Sender ${n}`, a, cap);
  const recipientOrgId = await addOrganization(`Recipient ${n}`, b, 10);
  const senderAdmin = await newMember(t, senderOrgId, {
    name: 'Ada',
    email: `ada@${a}`,
    role: 'admin'
  });
  const sender = await newMember(t, senderOrgId, { name: 'Sol', email: `sol@${a}` });
  const recipientAdmin = await newMember(t, recipientOrgId, {
    name: 'Bea',
    email: `bea@${b}`,
    role: 'admin'
  });
  // One valid French mobile number per run.
  const phone = `+336${String(n).padStart(8, '0')}`;
  const email = `rui@${b}`;
  const recipient = {
    ...(await newMember(t, recipientOrgId, { name: 'Rui', email, phone })),
    email,
    phone
  };
  return {
    senderOrg: { id: senderOrgId, admin: senderAdmin.browser, name: `Sender ${n}` },
    recipientOrg: { id: recipientOrgId, admin: recipientAdmin.browser },
    sender,
    recipient,
    devices: [
      new Device(`sol-1`, sender),
      new Device(`sol-2`, sender),
      new Device(`rui-1`, recipient)
    ],
    typed: [],
    stored: 0,
    written: 0,
    lowestCap: cap,
    counter: 0
  };
}

/** As the chat screen's "New chat" does (Chats.startExternal): one request per address. */
async function startRequest(world: World, device: Device, address: string, cap: number) {
  const existing = await device.db.chats
    .filter((c) => c.request?.role === 'sender' && c.request.address === address && !c.refused)
    .first();
  if (existing) return;
  const self = {
    userId: world.sender.id,
    name: 'Sol',
    organization: world.senderOrg.name,
    external: false,
    joinedAt: new Date().toISOString()
  };
  const chatId = randomUUID();
  const result = await enqueue(
    device.db,
    { type: 'chat.startExternal', args: { chatId, address } },
    { userId: world.sender.id, members: [self], cap }
  );
  if (!result.ok) throw new Error(`starting a request was refused: ${result.refusal.code}`);
}

/** The chats this device shows the sender as requests they made, where the composer writes. */
async function sentRequests(device: Device): Promise<ChatRow[]> {
  const chats = await device.db.chats.toArray();
  const open = chats.filter((c) => c.request?.role === 'sender' && !c.refused);
  // A request that turned out to be the existing 1:1 chat is written in there.
  return open
    .map((c) => (c.movedTo ? chats.find((other) => other.id === c.movedTo) : c))
    .filter((c): c is ChatRow => c !== undefined)
    .sort((x, y) => (x.id < y.id ? -1 : 1));
}

async function type(world: World, device: Device, chat: ChatRow, userId: string) {
  const body = `${device.label} #${++world.counter}`;
  const result = await sendMessage(device.db, chat.id, body, { userId });
  if (!result.ok) {
    world.typed.push({ body, device, messageId: null, localRefusal: result.refusal });
    return;
  }
  const row = await device.db.outbox.get(result.seq);
  if (row?.type !== 'message.send') throw new Error('the mutation is not in the outbox');
  world.typed.push({ body, device, messageId: row.args.messageId, localRefusal: null });
}

/**
 * Messages from the sender to the recipient stored before acceptance: across every request of
 * the pair (the cap is per pair of people), or null once one was accepted (no cap any more).
 */
async function storedBeforeAcceptance(world: World): Promise<number | null> {
  const { messageRequests, messages } = tables;
  const requests = await t.store.db
    .select({ chatId: messageRequests.chatId, status: messageRequests.status })
    .from(messageRequests)
    .where(
      and(
        eq(messageRequests.senderId, world.sender.id),
        eq(messageRequests.recipientId, world.recipient.id)
      )
    );
  if (requests.some((r) => r.status === 'accepted')) return null;
  if (requests.length === 0) return 0;
  const rows = await t.store.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        inArray(
          messages.chatId,
          requests.map((r) => r.chatId)
        ),
        eq(messages.authorId, world.sender.id)
      )
    );
  return rows.length;
}

async function patchSettings(admin: Browser, organizationId: string, patch: object) {
  const answer = await admin.patch(`/api/admin/organizations/${organizationId}/settings`, patch);
  if (answer.status !== 200) {
    throw new Error(`settings answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}

/**
 * What the server stored during the last step is within the cap in force meanwhile, and nothing
 * of the sender's was stored while their organization had outbound chat off.
 */
async function checkCap(model: Readonly<Model>, world: World) {
  const [written] = await t.store.db
    .select({ count: count() })
    .from(tables.messages)
    .where(eq(tables.messages.authorId, world.sender.id));
  const total = Number(written?.count ?? 0);
  if (!model.outbound) expect(total, 'stored while outbound chat is off').toBe(world.written);
  world.written = total;
  const stored = await storedBeforeAcceptance(world);
  if (stored === null) return;
  if (stored > world.stored) {
    expect(stored, 'messages stored before acceptance, per pair').toBeLessThanOrEqual(model.cap);
  }
  world.stored = stored;
}

type Command = fc.AsyncCommand<Model, World>;

/** Runs the command, then checks the cap holds on what the server stored meanwhile. */
abstract class Step implements Command {
  check(_model: Readonly<Model>): boolean {
    return true;
  }
  abstract act(model: Model, world: World): Promise<void>;
  abstract toString(): string;
  async run(model: Model, world: World) {
    await this.act(model, world);
    await checkCap(model, world);
  }
}

const senderDevice = fc.integer({ min: 0, max: 1 });
const anyDevice = fc.integer({ min: 0, max: 2 });
const pick = fc.nat({ max: 3 });

class Start extends Step {
  constructor(
    readonly device: number,
    readonly channel: 'email' | 'phone'
  ) {
    super();
  }
  override check(model: Readonly<Model>) {
    return PAIR_CAP && model.starts < 4;
  }
  async act(model: Model, world: World) {
    model.starts++;
    const address = this.channel === 'email' ? world.recipient.email : world.recipient.phone;
    await startRequest(world, world.devices[this.device]!, address, model.cap);
  }
  toString() {
    return `start(sol-${this.device + 1}, ${this.channel})`;
  }
}

class Send extends Step {
  constructor(
    readonly device: number,
    readonly chat: number,
    readonly count: number
  ) {
    super();
  }
  async act(_model: Model, world: World) {
    const device = world.devices[this.device]!;
    const chats = await sentRequests(device);
    const chat = chats[this.chat % Math.max(chats.length, 1)];
    if (!chat) return;
    for (let i = 0; i < this.count; i++) await type(world, device, chat, world.sender.id);
  }
  toString() {
    return `send(sol-${this.device + 1}, chat ${this.chat}, ×${this.count})`;
  }
}

/** The recipient writes in a request they see: refused until they accept it. */
class Reply extends Step {
  constructor(readonly chat: number) {
    super();
  }
  async act(_model: Model, world: World) {
    const device = world.devices[2];
    const chats = (await device.db.chats.toArray())
      .filter((c) => c.request?.role === 'recipient' && c.active)
      .sort((x, y) => (x.id < y.id ? -1 : 1));
    const chat = chats[this.chat % Math.max(chats.length, 1)];
    if (chat) await type(world, device, chat, world.recipient.id);
  }
  toString() {
    return `reply(rui-1, chat ${this.chat})`;
  }
}

class Answer extends Step {
  constructor(
    readonly answer: 'accept' | 'decline' | 'block',
    readonly chat: number
  ) {
    super();
  }
  async act(_model: Model, world: World) {
    const device = world.devices[2];
    const incoming = (await device.db.chats.toArray())
      .filter(isIncomingRequest)
      .sort((x, y) => (x.id < y.id ? -1 : 1));
    const chat = incoming[this.chat % Math.max(incoming.length, 1)];
    if (!chat) return;
    const result = await enqueue(
      device.db,
      { type: `request.${this.answer}`, args: { chatId: chat.id } },
      { userId: world.recipient.id }
    );
    if (!result.ok) throw new Error(`answering was refused: ${result.refusal.code}`);
  }
  toString() {
    return `${this.answer}(rui-1, chat ${this.chat})`;
  }
}

class Sync extends Step {
  constructor(
    readonly device: number,
    readonly fault: 'none' | 'crashAfterCommit'
  ) {
    super();
  }
  async act(_model: Model, world: World) {
    const device = world.devices[this.device]!;
    if (this.fault === 'none') return device.sync();
    device.network.fault = 'dropResponse';
    await device.sync();
    device.network.fault = null;
    device.restart();
  }
  toString() {
    return `sync(${['sol-1', 'sol-2', 'rui-1'][this.device]}, ${this.fault})`;
  }
}

class Network extends Step {
  constructor(
    readonly device: number,
    readonly online: boolean
  ) {
    super();
  }
  act(_model: Model, world: World) {
    world.devices[this.device]!.network.online = this.online;
    return Promise.resolve();
  }
  toString() {
    return `${this.online ? 'online' : 'offline'}(${['sol-1', 'sol-2', 'rui-1'][this.device]})`;
  }
}

/** The sender's admin: outbound chat, or the cap. */
class SenderAdmin extends Step {
  constructor(readonly patch: { outboundExternal: boolean } | { requestCap: number }) {
    super();
  }
  async act(model: Model, world: World) {
    await patchSettings(world.senderOrg.admin, world.senderOrg.id, this.patch);
    if ('outboundExternal' in this.patch) model.outbound = this.patch.outboundExternal;
    else {
      model.cap = this.patch.requestCap;
      world.lowestCap = Math.min(world.lowestCap, model.cap);
    }
  }
  toString() {
    return `senderAdmin(${JSON.stringify(this.patch)})`;
  }
}

/** The recipient's admin: inbound chat. */
class RecipientAdmin extends Step {
  constructor(readonly inbound: boolean) {
    super();
  }
  async act(model: Model, world: World) {
    await patchSettings(world.recipientOrg.admin, world.recipientOrg.id, {
      inboundExternal: this.inbound
    });
    model.inbound = this.inbound;
  }
  toString() {
    return `recipientAdmin(inbound ${this.inbound})`;
  }
}

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    // Only with MODEL_PAIR_CAP=1 (see Start.check).
    weight: 4,
    arbitrary: fc
      .tuple(senderDevice, fc.constantFrom<('email' | 'phone')[]>('email', 'phone'))
      .map(([d, channel]) => new Start(d, channel))
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(senderDevice, pick, fc.integer({ min: 1, max: 3 }))
      .map(([d, chat, count]) => new Send(d, chat, count))
  },
  { weight: 1, arbitrary: pick.map((chat) => new Reply(chat)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom<('accept' | 'decline' | 'block')[]>('accept', 'decline', 'block'),
        pick
      )
      .map(([answer, chat]) => new Answer(answer, chat))
  },
  { weight: 6, arbitrary: anyDevice.map((d) => new Sync(d, 'none')) },
  { weight: 1, arbitrary: anyDevice.map((d) => new Sync(d, 'crashAfterCommit')) },
  {
    weight: 2,
    arbitrary: fc.tuple(anyDevice, fc.boolean()).map(([d, online]) => new Network(d, online))
  },
  { weight: 1, arbitrary: fc.boolean().map((on) => new SenderAdmin({ outboundExternal: on })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 3 }).map((cap) => new SenderAdmin({ requestCap: cap }))
  },
  { weight: 1, arbitrary: fc.boolean().map((on) => new RecipientAdmin(on)) }
);

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
            const world = await newWorld(cap);
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
