// An admin switch costs the same whatever the number of chats (issue 9, item 12): its
// transaction records the setting and one pending effect; the chats' views follow in small
// transactions after commit, also after a restart mid-way; the rules follow the setting at once.
import { randomUUID } from 'node:crypto';
import { and, asc, count, eq, isNotNull } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatState } from '../../../common/protocol.ts';
import { addPersonalUser, startExternal } from '../../../tests/support/external.ts';
import { startTestApp, type Browser, type TestApp } from '../../../tests/support/harness.ts';
import { deviceFor, type TestDevice } from '../../../tests/support/sync.ts';
import { tables } from '../../store/index.ts';
import { chatChanges } from '../sync/changes.ts';
import { EffectSpreader, spreadBatch } from './spread.ts';

let t: TestApp;
let admin: Browser;
let settings: string;
let bruno: TestDevice;

beforeEach(async () => {
  t = await startTestApp();
  admin = t.browser();
  const me = await admin.signIn(t, 'alice@contoso.test');
  settings = `/api/admin/organizations/${me.organization.id as string}/settings`;
  bruno = await deviceFor(t, 'bruno@contoso.test');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await t.close();
});

/** Keeps the app's spreader from running, as if the process died right after the commit. */
function holdSpread() {
  const spreader = t.services.spreader;
  if (!spreader) throw new Error('the test app has no spreader');
  return vi.spyOn(spreader, 'kick').mockImplementation(() => undefined);
}

async function patch(body: Record<string, unknown>) {
  const answer = await admin.patch(settings, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/**
 * `count` pending requests between Bruno and new personal accounts, written directly: every
 * other one sent by Bruno, the others sent to him. Returns the chat ids, by direction.
 */
async function seedRequests(count: number) {
  const now = t.clock.now();
  const sent: string[] = [];
  const received: string[] = [];
  await t.store.tx(async (tx) => {
    for (let i = 0; i < count; i++) {
      const email = `outsider-${randomUUID()}@example.org`;
      const outsider = { id: randomUUID(), name: `Outsider ${i}`, email, emailKey: email };
      await tx.insert(tables.users).values({ ...outsider, region: 'FR', createdAt: now });
      const outgoing = i % 2 === 0;
      const [senderId, recipientId] = outgoing
        ? [bruno.userId, outsider.id]
        : [outsider.id, bruno.userId];
      const chatId = randomUUID();
      (outgoing ? sent : received).push(chatId);
      await tx
        .insert(tables.chats)
        .values({ id: chatId, kind: 'direct', createdBy: senderId, createdAt: now });
      await tx
        .insert(tables.chatMembers)
        .values([senderId, recipientId].map((userId) => ({ chatId, userId, joinedAt: now })));
      await tx.insert(tables.messageRequests).values({
        chatId,
        senderId,
        recipientId,
        address: outgoing ? email : 'bruno@contoso.test',
        addressKey: outgoing ? email : 'bruno@contoso.test',
        channel: 'email',
        status: 'pending',
        sentAt: now,
        expiresAt: new Date(now.getTime() + 14 * 24 * 3600 * 1000),
        createdAt: now
      });
    }
  });
  return { sent, received, all: [...sent, ...received] };
}

/** Rows that a switch's effect on chats writes, as they stand now. */
async function chatWrites() {
  const { userChanges, chatMembers, messageRequests, switchEffects } = tables;
  const number = async (query: Promise<{ n: number }[]>) => Number((await query)[0]?.n ?? 0);
  const db = t.store.db;
  return {
    changes: await number(db.select({ n: count() }).from(userChanges)),
    left: await number(
      db.select({ n: count() }).from(chatMembers).where(isNotNull(chatMembers.leftAt))
    ),
    hidden: await number(
      db.select({ n: count() }).from(messageRequests).where(eq(messageRequests.suppressed, true))
    ),
    pendingEffects: await number(db.select({ n: count() }).from(switchEffects))
  };
}

/** What the switch's own transaction wrote (the spread held back). */
async function switchWrites(body: Record<string, unknown>) {
  const before = await chatWrites();
  await patch(body);
  const after = await chatWrites();
  return {
    changes: after.changes - before.changes,
    left: after.left - before.left,
    hidden: after.hidden - before.hidden,
    pendingEffects: after.pendingEffects
  };
}

/** Bruno's latest logged view of each chat. */
async function brunoViews(): Promise<Map<string, ChatState>> {
  const { userChanges: c } = tables;
  const rows = await t.store.db
    .select({ chatId: c.chatId, payload: c.payload })
    .from(c)
    .where(and(eq(c.userId, bruno.userId), eq(c.kind, 'chat')))
    .orderBy(asc(c.cursor));
  return new Map(rows.map((row) => [row.chatId, row.payload as ChatState]));
}

/** A view with its members in a fixed order (the order rows come in is the database's). */
function sorted(view: ChatState | undefined) {
  return (
    view && { ...view, members: [...view.members].sort((a, b) => (a.userId < b.userId ? -1 : 1)) }
  );
}

/** Every chat's latest view in Bruno's log is the chat as it stands now. */
async function expectViewsUpToDate(chatIds: string[]) {
  const views = await brunoViews();
  for (const chatId of chatIds) {
    const [now] = await t.store.read((db) => chatChanges(db, chatId, [], [bruno.userId]));
    expect(sorted(views.get(chatId)), chatId).toEqual(
      sorted(now?.kind === 'chat' ? now.chat : undefined)
    );
  }
}

const readOnlyOutbound = { reason: 'policy_outbound_disabled' };

describe('an admin switch', () => {
  it('writes the same in its transaction whatever the number of chats, and every chat follows after commit', async () => {
    const few = await seedRequests(4);
    const hold = holdSpread();
    const small = await switchWrites({ outboundExternal: false });
    hold.mockRestore();
    t.services.spreader?.kick();
    await t.spread();

    const many = await seedRequests(120);
    holdSpread();
    const large = await switchWrites({ outboundExternal: true });

    expect(small).toEqual({ changes: 0, left: 0, hidden: 0, pendingEffects: 1 });
    expect(large).toEqual(small);
    vi.restoreAllMocks();
    t.services.spreader?.kick();
    await t.spread();
    expect((await chatWrites()).pendingEffects).toBe(0);
    const views = await brunoViews();
    for (const chatId of [...few.sent, ...many.sent]) {
      expect(views.get(chatId)?.readOnly, chatId).toBeNull();
    }
    await expectViewsUpToDate([...few.all, ...many.all]);
  });

  it('hides pending requests from outside only as it spreads, in batches, yet none can be answered from the moment it commits', async () => {
    const seeded = await seedRequests(60);
    holdSpread();
    const written = await switchWrites({ inboundExternal: false });
    expect(written).toEqual({ changes: 0, left: 0, hidden: 0, pendingEffects: 1 });

    const [first] = seeded.received;
    expect(await bruno.do('request.accept', { chatId: first as string })).toMatchObject({
      status: 'rejected',
      code: 'chat_not_found'
    });

    const before = await chatWrites();
    expect(await spreadBatch(t.store, t.clock.now(), 25)).not.toBeNull();
    const afterOne = await chatWrites();
    expect(afterOne.hidden - before.hidden).toBeGreaterThan(0);
    expect(afterOne.hidden - before.hidden).toBeLessThanOrEqual(25);
    expect(afterOne.pendingEffects).toBe(1);

    await runToEnd();
    const done = await chatWrites();
    expect(done.hidden - before.hidden).toBe(seeded.received.length);
    expect(done.pendingEffects).toBe(0);
    await expectViewsUpToDate(seeded.all);
  });

  it('cut short by a restart, finishes from where it stopped', async () => {
    const seeded = await seedRequests(70);
    holdSpread();
    await patch({ outboundExternal: false });
    // Two batches, then the process "dies": what is left is only in the database.
    await spreadBatch(t.store, t.clock.now(), 25);
    await spreadBatch(t.store, t.clock.now(), 25);
    const [effect] = await t.store.db.select().from(tables.switchEffects);
    expect(effect?.afterChatId).not.toBeNull();
    const viewsMidway = await brunoViews();
    const doneMidway = seeded.sent.filter((id) => viewsMidway.get(id)?.readOnly !== undefined);
    expect(doneMidway.length).toBeGreaterThan(0);
    expect(doneMidway.length).toBeLessThan(seeded.sent.length);

    await runToEnd();

    expect((await chatWrites()).pendingEffects).toBe(0);
    const views = await brunoViews();
    for (const chatId of seeded.sent) expect(views.get(chatId)?.readOnly).toEqual(readOnlyOutbound);
    await expectViewsUpToDate(seeded.all);
  });

  it('applies to the very next mutation, before its effect reaches the chats', async () => {
    await addPersonalUser(t, { name: 'Sam Carter', email: 'sam@example.org' });
    await addPersonalUser(t, { name: 'Zed Park', email: 'zed@example.net' });
    const sam = await deviceFor(t, 'sam@example.org');
    const zed = await deviceFor(t, 'zed@example.net');
    const { chatId: accepted } = await startExternal(bruno, 'sam@example.org');
    expect(await sam.do('request.accept', { chatId: accepted })).toMatchObject({
      status: 'applied'
    });
    const { chatId: pending } = await startExternal(zed, 'bruno@contoso.test');
    holdSpread();
    const brunoBefore = await bruno.pullAll();

    await patch({ outboundExternal: false, inboundExternal: false });

    expect(await bruno.send(accepted, 'Still here?')).toMatchObject({
      status: 'rejected',
      code: 'policy_outbound_disabled'
    });
    expect(await sam.send(accepted, 'Hello?')).toMatchObject({
      status: 'rejected',
      code: 'chat_read_only'
    });
    expect(await bruno.do('request.accept', { chatId: pending })).toMatchObject({
      status: 'rejected',
      code: 'chat_not_found'
    });
    // The sender is told nothing; their message does not reach the member, who leaves the chat.
    expect(await zed.send(pending, 'Anyone?')).toMatchObject({ status: 'applied' });
    const brunoAfter = (await bruno.pullAll()).slice(brunoBefore.length);
    expect(brunoAfter.filter((c) => c.type === 'message')).toEqual([]);
    const views = brunoAfter.flatMap((c) =>
      c.type === 'chat' && c.chat.id === pending ? [c] : []
    );
    expect(views.at(-1)).toMatchObject({ chat: { active: false } });
  });
});

/** A new process's spreader: resumes at start, runs until nothing is pending. */
async function runToEnd() {
  const restarted = new EffectSpreader({
    store: t.store,
    now: t.clock.now,
    onChanges: () => undefined,
    batchChats: 25
  });
  restarted.start(60_000);
  await restarted.idle();
  await restarted.stop();
}
