// The world one request-model sequence runs against: two organizations of its own on the shared
// app, their people and devices, what was typed; and the actions and reads the commands use.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { tables } from '../../server/store/index.ts';
import type { LocalChat, Refusal } from '../../src/lib/db/index.ts';
import { enqueue, sendMessage } from '../../src/lib/sync/outbox.ts';
import type { Browser, TestApp } from '../support/harness.ts';
import { Device, newMember, type Person } from './devices.ts';

let runNumber = 0;

/** Everything one sequence runs against: two organizations of its own, their people, devices. */
export type World = {
  /** The app under test, shared by every run. */
  t: TestApp;
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

/** A new organization with its domain, written to the store (no sign-up: thousands of runs). */
async function addOrganization(t: TestApp, name: string, domain: string, cap: number) {
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

export async function newWorld(t: TestApp, cap: number): Promise<World> {
  const n = ++runNumber;
  const a = `a${n}.test`;
  const b = `b${n}.test`;
  const senderOrgId = await addOrganization(t, `Sender ${n}`, a, cap);
  const recipientOrgId = await addOrganization(t, `Recipient ${n}`, b, 10);
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
    t,
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
export async function startRequest(world: World, device: Device, address: string, cap: number) {
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
export async function sentRequests(device: Device): Promise<LocalChat[]> {
  const chats = await device.db.chats.toArray();
  const open = chats.filter((c) => c.request?.role === 'sender' && !c.refused);
  // A request that turned out to be the existing 1:1 chat is written in there.
  return open
    .map((c) => (c.movedTo ? chats.find((other) => other.id === c.movedTo) : c))
    .filter((c): c is LocalChat => c !== undefined)
    .sort((x, y) => (x.id < y.id ? -1 : 1));
}

export async function type(world: World, device: Device, chat: LocalChat, userId: string) {
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
export async function storedBeforeAcceptance(world: World): Promise<number | null> {
  const { messageRequests, messages } = tables;
  const requests = await world.t.store.db
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
  const rows = await world.t.store.db
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

export async function patchSettings(admin: Browser, organizationId: string, patch: object) {
  const answer = await admin.patch(`/api/admin/organizations/${organizationId}/settings`, patch);
  if (answer.status !== 200) {
    throw new Error(`settings answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}
