import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ParleyDB } from '$lib/db';
import { Drafts, SAVE_DELAY_MS } from './drafts.svelte';

const opened: ParleyDB[] = [];

function freshDb(name = `drafts-${crypto.randomUUID()}`) {
  const db = new ParleyDB(name);
  opened.push(db);
  return db;
}

afterEach(async () => {
  vi.useRealTimers();
  const dbs = opened.splice(0);
  dbs.forEach((db) => db.close());
  for (const name of new Set(dbs.map((db) => db.name))) await Dexie.delete(name);
});

describe('drafts', () => {
  it('gives a composer mounted again the text as it was left, at once', async () => {
    const drafts = new Drafts(freshDb());
    const first = drafts.of('ann', 'chat-1');
    await first.loaded;
    first.text = 'Hello, thanks for';
    // The request prompt gave way to the composer again: same draft, nothing to wait for.
    const again = drafts.of('ann', 'chat-1');
    expect(again).toBe(first);
    expect(again.text).toBe('Hello, thanks for');
  });

  it('keeps one draft per person and chat', async () => {
    const drafts = new Drafts(freshDb());
    drafts.of('ann', 'chat-1').text = 'for chat 1';
    expect(drafts.of('ann', 'chat-2').text).toBe('');
    expect(drafts.of('bob', 'chat-1').text).toBe('');
    await Promise.all(['chat-1', 'chat-2'].map((id) => drafts.of('ann', id).save()));
  });

  it('writes to the device once typing pauses, so a reload finds it', async () => {
    const db = freshDb();
    const draft = new Drafts(db).of('ann', 'chat-1');
    await draft.loaded;
    vi.useFakeTimers();
    draft.text = 'Hel';
    draft.text = 'Hello';
    expect(await db.drafts.get('chat-1')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(SAVE_DELAY_MS);
    vi.useRealTimers();
    await expect.poll(async () => (await db.drafts.get('chat-1'))?.text).toBe('Hello');

    const reloaded = new Drafts(db).of('ann', 'chat-1');
    await reloaded.loaded;
    expect(reloaded.text).toBe('Hello');
  });

  it('saves at once when asked (a composer leaving), and forgets a cleared draft', async () => {
    const db = freshDb();
    const draft = new Drafts(db).of('ann', 'chat-1');
    await draft.loaded;
    draft.text = 'Sent soon';
    await draft.save();
    expect((await db.drafts.get('chat-1'))?.text).toBe('Sent soon');
    draft.text = '';
    await draft.save();
    expect(await db.drafts.get('chat-1')).toBeUndefined();
  });

  it('lets typing that began before the device answered win over the older copy', async () => {
    const db = freshDb();
    await db.drafts.put({ chatId: 'chat-1', text: 'older', savedAt: 1 });
    const draft = new Drafts(db).of('ann', 'chat-1');
    draft.text = 'new';
    await draft.loaded;
    expect(draft.text).toBe('new');
    await draft.save();
  });
});
