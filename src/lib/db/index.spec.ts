import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { Me } from '$lib/api/types';
import { sendMessage } from '$lib/sync/outbox';
import { ParleyDB, withDb } from './index';

const opened: ParleyDB[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

function freshDb() {
  const db = new ParleyDB(`db-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

function person(id: string): Me {
  return {
    id,
    name: id,
    email: `${id}@contoso.test`,
    phone: null,
    kind: 'managed',
    role: 'member',
    organization: { id: 'org', name: 'Contoso', region: 'FR' },
    region: 'FR',
    locale: null
  };
}

describe('device store', () => {
  it('reopens a connection closed under it and finishes the work', async () => {
    const db = freshDb();
    await db.open();
    db.close();
    const count = await withDb(db, () => db.outbox.count());
    expect(count).toBe(0);
    expect(db.isOpen()).toBe(true);
  });

  it('keeps unsent messages when the session expires, for the same person to send later', async () => {
    const db = freshDb();
    await db.saveMe(person('alice'));
    await sendMessage(db, 'chat-1', 'typed before expiry', { userId: 'alice' });
    await db.forgetUser('session');
    expect(await db.cachedMe()).toBeUndefined();
    expect(await db.outbox.count()).toBe(1);

    await db.saveMe(person('alice'));
    expect(await db.outbox.count()).toBe(1);
  });

  it('wipes the previous person’s chats and outbox when someone else signs in', async () => {
    const db = freshDb();
    await db.saveMe(person('alice'));
    await sendMessage(db, 'chat-1', 'private', { userId: 'alice' });
    await db.forgetUser('session');
    await db.saveMe(person('bruno'));
    expect(await db.outbox.count()).toBe(0);
    expect(await db.messages.count()).toBe(0);
    expect((await db.cachedMe())?.me.id).toBe('bruno');
  });

  it('gives chats stored before external contacts their external and request fields', async () => {
    const name = `db-${crypto.randomUUID()}`;
    const old = new Dexie(name);
    old.version(2).stores({
      chats: 'id, activity',
      messages: 'id, [chatId+order]',
      outbox: 'seq, chatId',
      meta: 'key',
      drafts: 'chatId'
    });
    await old.table('chats').bulkPut([
      { id: 'local', server: null },
      { id: 'synced', server: { id: 'synced', external: true, request: null } }
    ]);
    old.close();

    const db = new ParleyDB(name);
    opened.push(db);
    expect(await db.chats.get('local')).toMatchObject({ external: false, request: null });
    expect(await db.chats.get('synced')).toMatchObject({ external: true, request: null });
  });

  it('forgets everything on sign-out', async () => {
    const db = freshDb();
    await db.saveMe(person('alice'));
    await sendMessage(db, 'chat-1', 'bye', { userId: 'alice' });
    await db.forgetUser('everything');
    expect(await db.outbox.count()).toBe(0);
    expect(await db.meta.count()).toBe(0);
  });
});
