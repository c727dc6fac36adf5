// 1:1 and group chats made, renamed and left through pushed mutations.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, directChat, storedMessages, TestDevice } from '../support/sync.ts';
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

describe('1:1 chats', () => {
  it('creates a chat with a colleague that both see', async () => {
    const chatId = await directChat(alice, bruno);
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
    const existing = await directChat(alice, bruno);
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
    expect((await storedMessages(t, existing)).map((m) => m.body)).toEqual(['typed offline']);
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
    const chatId = await directChat(alice, bruno);
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
    const chatId = await directChat(alice, bruno);
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
