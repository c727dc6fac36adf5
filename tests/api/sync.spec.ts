import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, TestDevice } from '../support/sync.ts';
import type { HistoryResponse } from '../../common/protocol.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
let bruno: TestDevice;
beforeEach(async () => {
  t = await startTestApp();
  alice = await deviceFor(t, 'alice@contoso.test');
  bruno = await deviceFor(t, 'bruno@contoso.test');
});
afterEach(async () => {
  await t.close();
});

/** A 1:1 chat between alice and bruno, created by alice. */
async function directChat(): Promise<string> {
  const chatId = randomUUID();
  expect(await alice.do('chat.createDirect', { chatId, userId: bruno.userId })).toMatchObject({
    status: 'applied'
  });
  return chatId;
}

async function storedMessages(chatId: string) {
  return t.store.db
    .select()
    .from(tables.messages)
    .where(eq(tables.messages.chatId, chatId))
    .orderBy(tables.messages.seq);
}

describe('push: exactly once', () => {
  it('stores a message once when the same push is retried, and answers identically', async () => {
    const chatId = await directChat();
    const send = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'hi' });
    const first = await alice.push([send]);
    const retry = await alice.push([send]);
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body?.results).toEqual([
      { id: send.id, seq: send.seq, status: 'applied', chatSeq: 1 }
    ]);
    expect(await storedMessages(chatId)).toHaveLength(1);
  });

  it('stores a message once when two tabs push the same mutations at the same time', async () => {
    const chatId = await directChat();
    const batch = [1, 2, 3].map((n) =>
      alice.mutation('message.send', { chatId, messageId: randomUUID(), body: `m${n}` })
    );
    const [tab1, tab2] = await Promise.all([alice.push(batch), alice.push(batch)]);
    expect(tab1.status).toBe(200);
    expect(tab2.body).toEqual(tab1.body);
    expect((await storedMessages(chatId)).map((m) => m.body)).toEqual(['m1', 'm2', 'm3']);
  });

  it('answers a crash after commit (push again with more behind) from the record', async () => {
    const chatId = await directChat();
    const sent = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'one' });
    const [answer] = await alice.apply(sent); // the device "crashes" before storing this answer
    const next = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'two' });
    const results = await alice.apply(sent, next);
    expect(results[0]).toEqual(answer);
    expect(results[1]).toMatchObject({ status: 'applied', chatSeq: 2 });
    expect((await storedMessages(chatId)).map((m) => m.body)).toEqual(['one', 'two']);
  });

  it('answers a mutation repeated within one push identically', async () => {
    const chatId = await directChat();
    const send = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'once' });
    const [first, again] = await alice.apply(send, send);
    expect(again).toEqual(first);
    expect(await storedMessages(chatId)).toHaveLength(1);
  });

  it('refuses a gap in the sequence for the rest of the batch, recording nothing', async () => {
    const chatId = await directChat(); // seq 1
    const two = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'two' });
    const three = alice.mutation('message.send', {
      chatId,
      messageId: randomUUID(),
      body: 'three'
    });
    const four = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'four' });
    const gapped = await alice.apply(three, four);
    expect(gapped.map((r) => r.status === 'rejected' && r.code)).toEqual([
      'sequence_gap',
      'sequence_gap'
    ]);
    expect(await storedMessages(chatId)).toHaveLength(0);

    const filled = await alice.apply(two, three, four);
    expect(filled.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect((await storedMessages(chatId)).map((m) => m.body)).toEqual(['two', 'three', 'four']);
  });

  it('refuses another mutation under a sequence number already used', async () => {
    const chatId = await directChat();
    const original = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'a' });
    await alice.apply(original);
    const impostor = { ...original, id: randomUUID() };
    const [result] = await alice.apply(impostor);
    expect(result).toMatchObject({ status: 'rejected', code: 'sequence_conflict' });
    expect(await storedMessages(chatId)).toHaveLength(1);
  });

  it('records a rejection as final: the sequence advances and the mutations behind go on', async () => {
    const chatId = await directChat();
    const empty = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: '  ' });
    const fine = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'ok' });
    const results = await alice.apply(empty, fine);
    expect(results).toEqual([
      {
        id: empty.id,
        seq: empty.seq,
        status: 'rejected',
        code: 'message_empty',
        message: expect.any(String)
      },
      { id: fine.id, seq: fine.seq, status: 'applied', chatSeq: 1 }
    ]);
    // Pushed again: the same refusal, not a second judgement.
    expect(await alice.apply(empty, fine)).toEqual(results);
    const [device] = await t.store.db
      .select()
      .from(tables.devices)
      .where(eq(tables.devices.id, alice.id));
    expect(device?.lastAppliedSeq).toBe(fine.seq);
  });

  it('loses nothing when two devices of one person push concurrently into one chat', async () => {
    const chatId = await directChat();
    const laptop = alice;
    const phone = new TestDevice(t.browser(), alice.userId);
    await phone.browser.signIn(t, 'alice@contoso.test');
    const rounds = 5;
    const perPush = 4;
    const pushes = (device: TestDevice, label: string) =>
      Array.from({ length: rounds }, (_, round) =>
        Array.from({ length: perPush }, (_, i) =>
          device.mutation('message.send', {
            chatId,
            messageId: randomUUID(),
            body: `${label}-${round * perPush + i}`
          })
        )
      );
    const run = async (device: TestDevice, batches: ReturnType<typeof pushes>) => {
      const results = [];
      for (const batch of batches) results.push(...(await device.apply(...batch)));
      return results;
    };
    const [fromLaptop, fromPhone] = await Promise.all([
      run(laptop, pushes(laptop, 'laptop')),
      run(phone, pushes(phone, 'phone'))
    ]);
    const all = [...fromLaptop, ...fromPhone];
    expect(all.every((r) => r.status === 'applied')).toBe(true);

    const stored = await storedMessages(chatId);
    expect(stored).toHaveLength(2 * rounds * perPush);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    // Each device's own messages keep their order.
    for (const label of ['laptop', 'phone']) {
      const mine = stored.filter((m) => m.body.startsWith(label)).map((m) => m.body);
      expect(mine).toEqual(Array.from({ length: rounds * perPush }, (_, i) => `${label}-${i}`));
    }
    const chatSeqs = all.map((r) => (r.status === 'applied' ? r.chatSeq : 0));
    expect(new Set(chatSeqs).size).toBe(all.length);

    const seen = (await bruno.pullAll()).filter((c) => c.type === 'message');
    expect(seen).toHaveLength(stored.length);
  });

  it('binds a device id to the first person who pushes with it', async () => {
    const chatId = await directChat();
    const stolen = new TestDevice(bruno.browser, bruno.userId, alice.id);
    const response = await stolen.push([
      stolen.mutation('message.send', { chatId, messageId: randomUUID(), body: 'x' })
    ]);
    expect(response.status).toBe(409);
    expect(response.body?.error.code).toBe('device_taken');
  });

  it('refuses a malformed push as a whole with 400, and a signed-out one with 401', async () => {
    const bad = await alice.browser.post('/api/sync/push', {
      deviceId: alice.id,
      mutations: [{ id: 'x', seq: 0, at: 'yesterday', type: 'message.send', args: {} }]
    });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.code).toBe('invalid_request');
    const signedOut = await t
      .browser()
      .post('/api/sync/push', { deviceId: alice.id, mutations: [] });
    expect(signedOut.status).toBe(401);
  });
});

describe('messages', () => {
  it('keeps up to 4,000 characters (emoji count as one), trimmed, and refuses more', async () => {
    const chatId = await directChat();
    const emoji = '😀'.repeat(4000);
    expect(await alice.send(chatId, `  ${emoji}\n`)).toMatchObject({ status: 'applied' });
    expect(await alice.send(chatId, 'x'.repeat(4001))).toMatchObject({
      status: 'rejected',
      code: 'message_too_long'
    });
    const stored = await storedMessages(chatId);
    expect(stored.map((m) => m.body)).toEqual([emoji]);
  });

  it('refuses a message id that is already used', async () => {
    const chatId = await directChat();
    const messageId = randomUUID();
    await alice.send(chatId, 'first', messageId);
    expect(await bruno.send(chatId, 'second', messageId)).toMatchObject({
      status: 'rejected',
      code: 'duplicate_id'
    });
  });

  it('orders messages by a per-chat sequence, whoever sends them', async () => {
    const chatId = await directChat();
    await alice.send(chatId, 'a1');
    await bruno.send(chatId, 'b1');
    await alice.send(chatId, 'a2');
    expect((await storedMessages(chatId)).map((m) => [m.seq, m.body])).toEqual([
      [1, 'a1'],
      [2, 'b1'],
      [3, 'a2']
    ]);
  });
});

describe('1:1 chats', () => {
  it('creates a chat with a colleague that both see', async () => {
    const chatId = await directChat();
    const boot = (await bruno.browser.get('/api/sync/bootstrap')).body;
    expect(boot?.chats).toEqual([
      expect.objectContaining({
        id: chatId,
        kind: 'direct',
        name: null,
        createdBy: alice.userId,
        active: true,
        members: expect.arrayContaining([
          expect.objectContaining({
            userId: alice.userId,
            name: 'Alice Martin',
            organization: 'Contoso'
          }),
          expect.objectContaining({ userId: bruno.userId, name: 'Bruno Petit' })
        ])
      })
    ]);
  });

  it('points a second 1:1 with the same person at the existing chat, and delivers what was queued for it', async () => {
    const existing = await directChat();
    const offlineId = randomUUID();
    const create = bruno.mutation('chat.createDirect', { chatId: offlineId, userId: alice.userId });
    const send = bruno.mutation('message.send', {
      chatId: offlineId,
      messageId: randomUUID(),
      body: 'typed offline'
    });
    const [created, sent] = await bruno.apply(create, send);
    expect(created).toMatchObject({
      status: 'rejected',
      code: 'direct_chat_exists',
      details: { chatId: existing }
    });
    expect(sent).toMatchObject({ status: 'applied', chatSeq: 1 });
    expect((await storedMessages(existing)).map((m) => m.body)).toEqual(['typed offline']);
    // The alias is bruno's alone: alice cannot use it.
    expect(await alice.send(offlineId, 'hello?')).toMatchObject({ code: 'chat_not_found' });
  });

  it('makes one chat when two people start a 1:1 with each other at the same moment', async () => {
    const [fromAlice, fromBruno] = await Promise.all([
      alice.do('chat.createDirect', { chatId: randomUUID(), userId: bruno.userId }),
      bruno.do('chat.createDirect', { chatId: randomUUID(), userId: alice.userId })
    ]);
    const statuses = [fromAlice, fromBruno].map((r) => r.status).sort();
    expect(statuses).toEqual(['applied', 'rejected']);
    const loser = [fromAlice, fromBruno].find((r) => r.status === 'rejected');
    expect(loser).toMatchObject({ code: 'direct_chat_exists' });
    expect(await t.store.db.select().from(tables.chats)).toHaveLength(1);
  });

  it('refuses outsiders who are not accepted contacts, yourself, and unknown people', async () => {
    const outsider = await deviceFor(t, 'sam@example.org', 'Sam');
    for (const [userId, code] of [
      [outsider.userId, 'recipient_unavailable'],
      [alice.userId, 'user_not_found'],
      [randomUUID(), 'user_not_found']
    ] as const) {
      expect(await alice.do('chat.createDirect', { chatId: randomUUID(), userId })).toMatchObject({
        status: 'rejected',
        code
      });
    }
    expect(
      await outsider.do('chat.createDirect', { chatId: randomUUID(), userId: alice.userId })
    ).toMatchObject({ status: 'rejected', code: 'recipient_unavailable' });
  });

  it('cannot be renamed, left or change members', async () => {
    const chatId = await directChat();
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    for (const result of [
      await alice.do('chat.rename', { chatId, name: 'Us' }),
      await alice.do('chat.addMembers', { chatId, userIds: [chloe.userId] }),
      await alice.do('chat.removeMember', { chatId, userId: bruno.userId }),
      await alice.do('chat.leave', { chatId })
    ]) {
      expect(result).toMatchObject({ status: 'rejected', code: 'direct_chat_fixed' });
    }
  });

  it('refuses a chat id already used', async () => {
    const chatId = await directChat();
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    expect(
      await chloe.do('chat.createGroup', { chatId, name: 'Mine', memberIds: [] })
    ).toMatchObject({ status: 'rejected', code: 'duplicate_id' });
  });
});

describe('group chats', () => {
  it('creates, renames, adds and removes members, and lets people leave', async () => {
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    const chatId = randomUUID();
    const created = await alice.do('chat.createGroup', {
      chatId,
      name: '  Launch  ',
      memberIds: [bruno.userId, bruno.userId]
    });
    expect(created.status).toBe('applied');
    expect(await alice.do('chat.rename', { chatId, name: 'Launch day' })).toMatchObject({
      status: 'applied'
    });
    expect(await bruno.do('chat.addMembers', { chatId, userIds: [chloe.userId] })).toMatchObject({
      status: 'applied'
    });
    const chloeView = await chloe.pullAll();
    expect(chloeView.at(-1)).toMatchObject({
      type: 'chat',
      chat: { id: chatId, name: 'Launch day', active: true }
    });

    expect(await chloe.do('chat.removeMember', { chatId, userId: bruno.userId })).toMatchObject({
      status: 'applied'
    });
    const brunoLast = (await bruno.pullAll()).at(-1);
    expect(brunoLast).toMatchObject({ type: 'chat', chat: { id: chatId, active: false } });
    expect(await bruno.send(chatId, 'still here?')).toMatchObject({ code: 'chat_not_found' });
    expect(await bruno.do('chat.removeMember', { chatId, userId: bruno.userId })).toMatchObject({
      code: 'chat_not_found'
    });

    expect(await chloe.do('chat.leave', { chatId })).toMatchObject({ status: 'applied' });
    const aliceLast = (await alice.pullAll()).at(-1);
    expect(aliceLast).toMatchObject({ type: 'chat', chat: { id: chatId, active: true } });
    if (aliceLast?.type === 'chat') {
      expect(aliceLast.chat.members.map((m) => m.userId)).toEqual([alice.userId]);
      expect(aliceLast.chat.name).toBe('Launch day');
    }
  });

  it('counts a group name in characters as people count them: 80 emoji fit, 81 do not', async () => {
    const name = '🎉'.repeat(80);
    expect(
      await alice.do('chat.createGroup', { chatId: randomUUID(), name, memberIds: [bruno.userId] })
    ).toMatchObject({ status: 'applied' });
    expect(
      await alice.do('chat.createGroup', {
        chatId: randomUUID(),
        name: `${name}🎉`,
        memberIds: [bruno.userId]
      })
    ).toMatchObject({ code: 'invalid_name' });
  });

  it('refuses bad names, strangers and people who are not members', async () => {
    const chatId = randomUUID();
    const outsider = await deviceFor(t, 'sam@example.org', 'Sam');
    expect(
      await alice.do('chat.createGroup', { chatId, name: ' ', memberIds: [bruno.userId] })
    ).toMatchObject({ code: 'invalid_name' });
    expect(
      await alice.do('chat.createGroup', { chatId, name: 'x'.repeat(81), memberIds: [] })
    ).toMatchObject({ code: 'invalid_name' });
    expect(
      await alice.do('chat.createGroup', { chatId, name: 'Team', memberIds: [outsider.userId] })
    ).toMatchObject({ code: 'recipient_unavailable' });
    expect(
      await alice.do('chat.createGroup', { chatId, name: 'Team', memberIds: [bruno.userId] })
    ).toMatchObject({ status: 'applied' });
    expect(await alice.do('chat.addMembers', { chatId, userIds: [outsider.userId] })).toMatchObject(
      { code: 'recipient_unavailable' }
    );
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    expect(await alice.do('chat.removeMember', { chatId, userId: chloe.userId })).toMatchObject({
      code: 'not_a_member'
    });
    for (const result of [
      await chloe.do('chat.rename', { chatId, name: 'Mine now' }),
      await chloe.do('chat.addMembers', { chatId, userIds: [chloe.userId] }),
      await chloe.do('chat.leave', { chatId }),
      await chloe.send(chatId, 'let me in')
    ]) {
      expect(result).toMatchObject({ status: 'rejected', code: 'chat_not_found' });
    }
  });
});

describe('visibility', () => {
  it('pulls only the chats a person belongs to; a guessed chat id gets 404', async () => {
    const chatId = await directChat();
    await alice.send(chatId, 'private');
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    expect(await chloe.pullAll()).toEqual([]);
    expect((await chloe.browser.get('/api/sync/bootstrap')).body).toEqual({
      cursor: 0,
      chats: [],
      messages: []
    });
    const history = await chloe.browser.get(`/api/chats/${chatId}/messages`);
    expect(history.status).toBe(404);
    expect(history.body?.error.code).toBe('chat_not_found');
    const unknown = await chloe.browser.get(`/api/chats/${randomUUID()}/messages`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(history.body);
    expect((await bruno.browser.get(`/api/chats/${chatId}/messages`)).status).toBe(200);
  });

  it('stops telling a removed member about the chat', async () => {
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    const chatId = randomUUID();
    await alice.do('chat.createGroup', {
      chatId,
      name: 'Team',
      memberIds: [bruno.userId, chloe.userId]
    });
    await alice.send(chatId, 'before');
    await alice.do('chat.removeMember', { chatId, userId: chloe.userId });
    const removedAt = (await chloe.pull()).cursor;
    await alice.send(chatId, 'after');
    await alice.do('chat.rename', { chatId, name: 'Secret plans' });
    expect((await chloe.pull(removedAt)).changes).toEqual([]);
    const messages = (await chloe.pullAll()).flatMap((c) =>
      c.type === 'message' ? [c.message.body] : []
    );
    expect(messages).toEqual(['before']);
    expect((await chloe.browser.get(`/api/chats/${chatId}/messages`)).status).toBe(404);
  });
});

describe('pull and bootstrap', () => {
  it('pages changes oldest first with hasMore, and resumes from the cursor', async () => {
    const chatId = await directChat();
    for (let i = 1; i <= 7; i++) await alice.send(chatId, `m${i}`);
    const first = await bruno.pull(0, 3);
    expect(first.hasMore).toBe(true);
    expect(first.changes.map((c) => c.cursor)).toEqual([1, 2, 3]);
    expect(first.changes[0]).toMatchObject({ type: 'chat', chat: { id: chatId } });
    expect(first.changes[1]).toMatchObject({
      type: 'message',
      message: { chatId, seq: 1, body: 'm1', authorId: alice.userId }
    });
    expect(first.cursor).toBe(3);
    const second = await bruno.pull(first.cursor, 3);
    expect(second.changes.map((c) => c.cursor)).toEqual([4, 5, 6]);
    const last = await bruno.pull(second.cursor, 3);
    expect(last).toMatchObject({ hasMore: false, cursor: 8 });
    expect(last.changes).toHaveLength(2);
    expect(await bruno.pull(last.cursor)).toEqual({ changes: [], cursor: 8, hasMore: false });
  });

  it('numbers the changes of one push consecutively, in order, in every member log', async () => {
    const chatId = await directChat();
    const before = (await bruno.pull()).cursor;
    const batch = Array.from({ length: 5 }, (_, i) =>
      alice.mutation('message.send', { chatId, messageId: randomUUID(), body: `b${i}` })
    );
    await alice.apply(...batch);
    const changes = (await bruno.pull(before)).changes;
    expect(changes.map((c) => c.cursor)).toEqual([1, 2, 3, 4, 5].map((n) => before + n));
    expect(changes.map((c) => (c.type === 'message' ? c.message.body : ''))).toEqual([
      'b0',
      'b1',
      'b2',
      'b3',
      'b4'
    ]);
  });

  it('refuses a malformed cursor or limit with 400', async () => {
    for (const query of ['cursor=-1', 'cursor=abc', 'cursor=1.5', 'limit=0', 'limit=1001']) {
      const response = await bruno.browser.get(`/api/sync/pull?${query}`);
      expect(response.status, query).toBe(400);
    }
  });

  it('bootstraps a new device with each chat, its last 50 messages and the cursor', async () => {
    const chatId = await directChat();
    const group = randomUUID();
    await alice.do('chat.createGroup', { chatId: group, name: 'Team', memberIds: [bruno.userId] });
    const batch = Array.from({ length: 60 }, (_, i) =>
      alice.mutation('message.send', { chatId, messageId: randomUUID(), body: `m${i + 1}` })
    );
    await alice.apply(...batch);
    await bruno.send(group, 'hello team');
    await bruno.do('chat.read', { chatId, seq: 55 });

    const boot = (await bruno.browser.get('/api/sync/bootstrap')).body;
    expect(boot?.cursor).toBe((await bruno.pull(0, 1000)).cursor);
    const chats = boot?.chats as { id: string; lastSeq: number; readSeq: number }[];
    expect(chats.map((c) => c.id).sort()).toEqual([chatId, group].sort());
    expect(chats.find((c) => c.id === chatId)).toMatchObject({ lastSeq: 60, readSeq: 55 });
    const messages = boot?.messages as { chatId: string; seq: number }[];
    const direct = messages.filter((m) => m.chatId === chatId).map((m) => m.seq);
    expect(direct).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(messages.filter((m) => m.chatId === group)).toHaveLength(1);
  });

  it('serves older history newest first, page by page', async () => {
    const chatId = await directChat();
    const batch = Array.from({ length: 12 }, (_, i) =>
      alice.mutation('message.send', { chatId, messageId: randomUUID(), body: `m${i + 1}` })
    );
    await alice.apply(...batch);
    const history = async (query: string) =>
      (await bruno.browser.get(`/api/chats/${chatId}/messages?${query}`)).body as HistoryResponse;
    const page = await history('before=11&limit=4');
    expect(page.messages.map((m) => m.seq)).toEqual([10, 9, 8, 7]);
    expect(page.hasMore).toBe(true);
    const end = await history('before=3&limit=4');
    expect(end).toMatchObject({ hasMore: false });
    expect(end.messages.map((m) => m.seq)).toEqual([2, 1]);
    const newest = await history('limit=1');
    expect(newest.messages[0]).toMatchObject({ seq: 12, body: 'm12' });
  });
});

describe('read markers', () => {
  it("move forward only, stop at the last message, and reach the reader's other devices and the other members", async () => {
    const chatId = await directChat();
    for (let i = 0; i < 5; i++) await alice.send(chatId, `m${i}`);
    const phone = new TestDevice(t.browser(), bruno.userId);
    await phone.browser.signIn(t, 'bruno@contoso.test');
    const before = (await phone.pull(0, 1000)).cursor;

    expect(await bruno.do('chat.read', { chatId, seq: 3 })).toMatchObject({ status: 'applied' });
    expect(await bruno.do('chat.read', { chatId, seq: 2 })).toMatchObject({ status: 'applied' });
    expect(await bruno.do('chat.read', { chatId, seq: 99 })).toMatchObject({ status: 'applied' });

    const reads = (await phone.pull(before)).changes;
    expect(reads).toEqual([
      { cursor: before + 1, type: 'read', chatId, userId: bruno.userId, seq: 3 },
      { cursor: before + 2, type: 'read', chatId, userId: bruno.userId, seq: 5 }
    ]);
    // The other member gets them as read receipts, naming the reader.
    const receipts = (await alice.pullAll()).filter((c) => c.type === 'read');
    expect(receipts).toMatchObject([
      { type: 'read', chatId, userId: bruno.userId, seq: 3 },
      { type: 'read', chatId, userId: bruno.userId, seq: 5 }
    ]);
    const boot = (await phone.browser.get('/api/sync/bootstrap')).body;
    expect(boot?.chats[0]).toMatchObject({ readSeq: 5, lastSeq: 5 });
  });
});
