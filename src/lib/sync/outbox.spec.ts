import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_ORDER_BASE, ParleyDB } from '$lib/db';
import { applyResults } from './apply';
import { emptyChat } from './chat-view';
import { addQueueRule, deleteFailedMessage, enqueue, retryMessage, sendMessage } from './outbox';
import type { Mutation } from '$common/protocol';

const ME = 'u-alice';
const opened: ParleyDB[] = [];

function freshDb(name = `outbox-${crypto.randomUUID()}`) {
  const db = new ParleyDB(name);
  opened.push(db);
  return db;
}

afterEach(async () => {
  const dbs = opened.splice(0);
  dbs.forEach((db) => db.close());
  for (const name of new Set(dbs.map((db) => db.name))) await Dexie.delete(name);
});

async function seedChat(db: ParleyDB, id = 'chat-1') {
  await db.chats.put({ ...emptyChat(id), name: 'Team', createdBy: ME });
}

function toMutations(db: ParleyDB): Promise<Mutation[]> {
  return db.outbox
    .orderBy('seq')
    .toArray()
    .then((rows) =>
      rows.map((r) => ({ id: r.id, seq: r.seq, at: r.at, type: r.type, args: r.args }) as Mutation)
    );
}

describe('outbox', () => {
  it('writes the pending message and its mutation together, with the next device sequence', async () => {
    const db = freshDb();
    await seedChat(db);
    const first = await sendMessage(db, 'chat-1', 'hello', { userId: ME });
    const second = await sendMessage(db, 'chat-1', 'again', { userId: ME });
    expect(first).toMatchObject({ ok: true, seq: 1 });
    expect(second).toMatchObject({ ok: true, seq: 2 });

    const outbox = await db.outbox.orderBy('seq').toArray();
    expect(outbox.map((m) => [m.seq, m.type, m.state])).toEqual([
      [1, 'message.send', 'queued'],
      [2, 'message.send', 'queued']
    ]);
    const messages = await db.messages.toArray();
    expect(messages.every((m) => m.status === 'pending' && m.seq === null)).toBe(true);
    const chat = await db.chats.get('chat-1');
    expect(chat).toMatchObject({ pending: 2, preview: { body: 'again', pending: true } });
  });

  it('never gives two mutations the same sequence, even from two tabs at once', async () => {
    const name = `tabs-${crypto.randomUUID()}`;
    const tab1 = freshDb(name);
    const tab2 = freshDb(name);
    await seedChat(tab1);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sendMessage(i % 2 ? tab1 : tab2, 'chat-1', `m${i}`, { userId: ME })
      )
    );
    const seqs = (await tab1.outbox.toArray()).map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('writes nothing and keeps the sequence when the message cannot be stored', async () => {
    const db = freshDb();
    await seedChat(db);
    const body = { type: 'message.send', args: { chatId: 'chat-1', messageId: 'same', body: 'a' } };
    await enqueue(db, body as never, { userId: ME });
    await expect(enqueue(db, body as never, { userId: ME })).rejects.toThrow();
    expect(await db.outbox.count()).toBe(1);
    expect((await db.meta.get('nextSeq'))?.value).toBe(2);
  });

  it('lets a local rule refuse to queue, with its reason, and writes nothing', async () => {
    const db = freshDb();
    await seedChat(db);
    const remove = addQueueRule(async (database, mutation) => {
      if (mutation.type !== 'message.send') return null;
      const queued = await database.outbox.where('chatId').equals(mutation.args.chatId).count();
      return queued >= 2 ? { code: 'cap_reached', message: '2 of 2 sent before acceptance' } : null;
    });
    try {
      await sendMessage(db, 'chat-1', 'one', { userId: ME });
      await sendMessage(db, 'chat-1', 'two', { userId: ME });
      const third = await sendMessage(db, 'chat-1', 'three', { userId: ME });
      expect(third).toEqual({
        ok: false,
        refusal: { code: 'cap_reached', message: '2 of 2 sent before acceptance' }
      });
      expect(await db.messages.count()).toBe(2);
      expect(await db.outbox.count()).toBe(2);
    } finally {
      remove();
    }
  });

  it('sorts pending messages after every acknowledged one, in typing order', async () => {
    const db = freshDb();
    await seedChat(db);
    await sendMessage(db, 'chat-1', 'first typed', { userId: ME });
    await sendMessage(db, 'chat-1', 'second typed', { userId: ME });
    await db.messages.put({
      id: 'server-1',
      chatId: 'chat-1',
      seq: 7,
      order: 7,
      authorId: 'u-bruno',
      body: 'from the server',
      sentAt: '2030-01-01T00:00:00.000Z',
      createdAt: '2030-01-01T00:00:00.000Z',
      status: 'sent',
      refusal: null
    });
    const ordered = await db.messages
      .where('[chatId+order]')
      .between(['chat-1', 0], ['chat-1', LOCAL_ORDER_BASE * 2])
      .toArray();
    expect(ordered.map((m) => m.body)).toEqual(['from the server', 'first typed', 'second typed']);
  });

  it('retries a message marked Not sent as a new mutation at the end, and deletes one', async () => {
    const db = freshDb();
    await seedChat(db);
    await sendMessage(db, 'chat-1', 'refused once', { userId: ME });
    await sendMessage(db, 'chat-1', 'refused for good', { userId: ME });
    const mutations = await toMutations(db);
    await applyResults(
      db,
      mutations,
      mutations.map((m) => ({
        id: m.id,
        seq: m.seq,
        status: 'rejected',
        code: 'chat_not_found',
        message: 'No such chat'
      })),
      ME
    );
    const [once, forGood] = await db.messages.orderBy('[chatId+order]').toArray();
    expect(once?.status).toBe('failed');

    const retried = await retryMessage(db, once!.id, { userId: ME });
    expect(retried).toMatchObject({ ok: true, seq: 3 });
    const afterRetry = await db.messages.orderBy('[chatId+order]').toArray();
    expect(afterRetry.map((m) => [m.body, m.status])).toEqual([
      ['refused for good', 'failed'],
      ['refused once', 'pending']
    ]);

    await deleteFailedMessage(db, forGood!.id, ME);
    expect((await db.messages.toArray()).map((m) => m.body)).toEqual(['refused once']);
  });
});
