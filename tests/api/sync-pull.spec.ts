// What a device reads back: only its own chats, pages of changes, bootstrap, history, read markers.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, directChat, TestDevice } from '../support/sync.ts';
import type { HistoryResponse } from '../../common/protocol.ts';

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

describe('visibility', () => {
  it('pulls only the chats a person belongs to; a guessed chat id gets 404', async () => {
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
