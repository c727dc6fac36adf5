// The chat row the UI shows, rebuilt from what is stored: the server's state with the mutations it
// applied but the device has not pulled yet, then the outbox, replayed on top ($common/replay);
// and the chat list's figures (preview, pending, unread).
import Dexie from 'dexie';
import { LOCAL_ORDER_BASE, type LocalChat, type LocalMessage, type ParleyDB } from '$lib/db';
import { createsChat } from '$common/protocol';
import { replay } from '$common/replay';

/** A chat the device has heard of but holds nothing about yet. */
export function emptyChat(id: string): LocalChat {
  return {
    id,
    kind: 'group',
    name: null,
    createdBy: '',
    createdAt: new Date(0).toISOString(),
    members: [],
    active: true,
    external: false,
    request: null,
    lastSeq: 0,
    readSeq: 0,
    reads: {},
    unread: 0,
    pending: 0,
    preview: null,
    activity: 0,
    server: null,
    refused: null,
    movedTo: null,
    notice: null,
    settled: []
  };
}

/** The chat list's figures: preview (unless kept), pending, unread and the sort key. */
export function figures(
  row: LocalChat,
  last: LocalMessage | undefined | 'keep',
  pending: number
): LocalChat {
  if (last !== 'keep') {
    row.preview = last
      ? {
          body: last.body,
          authorId: last.authorId,
          at: last.createdAt ?? last.sentAt,
          pending: last.status === 'pending',
          order: last.order
        }
      : null;
  }
  row.pending = pending;
  row.unread = Math.max(0, row.lastSeq - row.readSeq);
  row.activity = Date.parse(row.preview?.at ?? row.createdAt) || 0;
  return row;
}

/**
 * Rebuilds what the UI shows for one chat from what is stored: server state, replayed outbox and
 * the list figures. A few reads; `applyChanges` takes a faster path for chats with nothing pending.
 */
export async function recomputeChat(db: ParleyDB, chatId: string, me: string): Promise<void> {
  const previous = await db.chats.get(chatId);
  const mutations = await db.outbox.where('chatId').equals(chatId).sortBy('seq');
  const creates = mutations.some((m) => createsChat(m.type));
  // A chat the user discarded, or never had: late answers about it must not bring it back.
  if (!previous && !creates) return;
  // What the server applied but the device has not pulled yet goes first, as it happened first.
  const replayed = [...(previous?.settled ?? []), ...mutations];
  const row = replay(previous ?? emptyChat(chatId), previous !== undefined, replayed, me);
  const last = await db.messages
    .where('[chatId+order]')
    .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
    .last();
  const pending = await db.messages
    .where('[chatId+order]')
    .between([chatId, LOCAL_ORDER_BASE], [chatId, Dexie.maxKey])
    .filter((message) => message.status === 'pending')
    .count();
  await db.chats.put(figures(row, last, pending));
}
