// Bundled into the benchmark page: the client's real Dexie schema and pull-applying code, with
// data made on the spot. Exposed as `window.ParleyBench`.
import Dexie from 'dexie';
import { ParleyDB } from '$lib/db';
import { applyChanges } from '$lib/sync/apply';
import { PULL_PAGE } from '$lib/sync/engine';
import type { Change, ChatMember, ChatState, MessageState } from '$common/protocol';

const START = Date.parse('2026-06-01T09:00:00Z');

/** `chats` group chats with `perChat` messages each, in the order a pull would bring them. */
function history(me: string, other: string, chats: number, perChat: number): Change[] {
  const changes: Change[] = [];
  let cursor = 0;
  const member = (userId: string, name: string): ChatMember => ({
    userId,
    name,
    organization: 'Contoso',
    external: false,
    joinedAt: new Date(START).toISOString()
  });
  for (let c = 0; c < chats; c++) {
    const chat: ChatState = {
      id: `bench-chat-${c}`,
      kind: 'group',
      name: `Project ${c + 1}`,
      createdBy: me,
      createdAt: new Date(START).toISOString(),
      lastSeq: 0,
      readSeq: 0,
      active: true,
      external: false,
      request: null,
      members: [member(me, 'Alice Martin'), member(other, 'Bruno Petit')]
    };
    changes.push({ cursor: ++cursor, type: 'chat', chat });
  }
  for (let k = 0; k < chats * perChat; k++) {
    const chatIndex = k % chats;
    const seq = Math.floor(k / chats) + 1;
    const at = new Date(START + k * 1000).toISOString();
    const message: MessageState = {
      id: `bench-m-${k}`,
      chatId: `bench-chat-${chatIndex}`,
      seq,
      authorId: k % 3 === 0 ? me : other,
      body: `Message ${k}: the quarterly figures are in the shared folder, see https://contoso.test/q${k % 4}`,
      sentAt: at,
      createdAt: at
    };
    changes.push({ cursor: ++cursor, type: 'message', message });
  }
  return changes;
}

async function applyInPages(db: ParleyDB, changes: Change[], me: string): Promise<void> {
  for (let i = 0; i < changes.length; i += PULL_PAGE) {
    const page = changes.slice(i, i + PULL_PAGE);
    await applyChanges(db, page, page.at(-1)!.cursor, me);
  }
}

/** Applies a 10,000-message pull (in the engine's page size) to a fresh database; returns ms. */
async function applyPull(me: string, other: string, chats = 100, perChat = 100): Promise<number> {
  const name = `parley-bench-${crypto.randomUUID()}`;
  const db = new ParleyDB(name);
  await db.open();
  const changes = history(me, other, chats, perChat);
  const start = performance.now();
  await applyInPages(db, changes, me);
  const elapsed = performance.now() - start;
  db.close();
  await Dexie.delete(name);
  return elapsed;
}

/** Fills the app's own database, as a long-used device would have it. */
async function seedApp(me: string, other: string, chats = 100, perChat = 100): Promise<void> {
  const db = new ParleyDB();
  await db.open();
  await applyInPages(db, history(me, other, chats, perChat), me);
  // Caught up: the app's sync engine has nothing to fetch while the list is timed.
  await db.meta.bulkPut([
    { key: 'bootstrapped', value: true },
    { key: 'cursor', value: 1e12 }
  ]);
  db.close();
}

declare global {
  interface Window {
    ParleyBench: { applyPull: typeof applyPull; seedApp: typeof seedApp };
  }
}

window.ParleyBench = { applyPull, seedApp };
