// The chat engine as the screens see it: sync status, and every action a person can take on a
// chat. Actions only write to IndexedDB (through the outbox); the sync engine sends them.
import Dexie from 'dexie';
import { db, LOCAL_ORDER_BASE, withDb, type LocalChat, type Refusal } from '$lib/db';
import { applyHistory } from '$lib/sync/apply';
import { syncTables } from '$lib/sync/outbox';
import type { SyncStatus } from '$lib/sync/engine';
import { runSync } from '$lib/sync';
import {
  addQueueRule,
  deleteFailedMessage,
  discardRefusedChat,
  dismissNotice,
  enqueue,
  retryMessage,
  sendMessage,
  type Enqueued
} from '$lib/sync/outbox';
import { DEFAULT_REQUEST_CAP, type ChatMember } from '$common/protocol';
import { requestCapRule } from '$lib/sync/requests';
import { httpTransport, type DirectoryEntry } from '$lib/sync/transport';
import { session } from './session.svelte';

const HISTORY_PAGE = 50;

// Offline too, the device never queues a message past a pending request's cap.
addQueueRule(requestCapRule);

class Chats {
  status = $state<SyncStatus>({ phase: 'stopped', error: null, live: false });
  #userId: string | null = null;
  #stop: (() => void) | null = null;
  #transport = httpTransport();

  /** Starts syncing for the signed-in person (idempotent). */
  start(userId: string): void {
    if (this.#userId === userId) return;
    this.stop();
    this.#userId = userId;
    this.#stop = runSync({
      db,
      userId,
      onStatus: (status) => (this.status = status),
      onUnauthenticated: () => void session.expired()
    });
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
    this.#userId = null;
  }

  get #me(): string {
    const id = session.me?.id;
    if (!id) throw new Error('not signed in');
    return id;
  }

  /** Queues a message; it shows at once with a clock. A local rule may refuse it with a reason. */
  send(chatId: string, body: string): Promise<Enqueued> {
    return withDb(db, () => sendMessage(db, chatId, body, { userId: this.#me }));
  }

  retry(messageId: string): Promise<Enqueued | null> {
    return withDb(db, () => retryMessage(db, messageId, { userId: this.#me }));
  }

  deleteFailed(messageId: string): Promise<void> {
    return withDb(db, () => deleteFailedMessage(db, messageId, this.#me));
  }

  /**
   * Opens the 1:1 chat with this person: the one this device knows, or a new one created on the
   * device at once (and on the server when the network allows). Resolves to its id.
   */
  async openDirect(person: DirectoryEntry): Promise<string | Refusal> {
    const me = this.#me;
    return withDb(db, () =>
      db.transaction('rw', syncTables(db), async () => {
        const existing = await db.chats
          .filter(
            (c) =>
              c.kind === 'direct' &&
              !c.movedTo &&
              !c.refused &&
              c.members.some((m) => m.userId === person.id)
          )
          .first();
        if (existing) return existing.id;
        const chatId = crypto.randomUUID();
        const result = await enqueue(
          db,
          { type: 'chat.createDirect', args: { chatId, userId: person.id } },
          { userId: me, members: [this.#self(), asMember(person)] }
        );
        return result.ok ? chatId : result.refusal;
      })
    );
  }

  /**
   * Starts a chat with whoever holds `address` (canonical, from `parseAddress`), as a message
   * request: queued on the device (works offline) and shown at once with the address. A request
   * this device already sent to the same address opens instead.
   */
  async startExternal(address: string): Promise<string | Refusal> {
    const me = this.#me;
    const cap = session.me?.requestCap ?? DEFAULT_REQUEST_CAP;
    return withDb(db, () =>
      db.transaction('rw', syncTables(db), async () => {
        const existing = await db.chats
          .filter(
            (c) =>
              c.request?.role === 'sender' &&
              c.request.address === address &&
              !c.movedTo &&
              !c.refused
          )
          .first();
        if (existing) return existing.id;
        const chatId = crypto.randomUUID();
        const result = await enqueue(
          db,
          { type: 'chat.startExternal', args: { chatId, address } },
          { userId: me, members: [this.#self()], cap }
        );
        return result.ok ? chatId : result.refusal;
      })
    );
  }

  /** The recipient's answer to a message request; decline and block hide it at once. */
  answerRequest(chatId: string, answer: 'accept' | 'decline' | 'block'): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: `request.${answer}`, args: { chatId } }, { userId: this.#me })
    );
  }

  /** The sender's control of a pending request's invitation: a new link, or withdraw it. */
  invitation(chatId: string, action: 'resend' | 'revoke'): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: `invitation.${action}`, args: { chatId } }, { userId: this.#me })
    );
  }

  async createGroup(name: string, people: DirectoryEntry[]): Promise<string | Refusal> {
    const chatId = crypto.randomUUID();
    const result = await withDb(db, () =>
      enqueue(
        db,
        {
          type: 'chat.createGroup',
          args: { chatId, name, memberIds: people.map((p) => p.id) }
        },
        { userId: this.#me, members: [this.#self(), ...people.map(asMember)] }
      )
    );
    return result.ok ? chatId : result.refusal;
  }

  rename(chatId: string, name: string): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: 'chat.rename', args: { chatId, name } }, { userId: this.#me })
    );
  }

  addMembers(chatId: string, people: DirectoryEntry[]): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(
        db,
        { type: 'chat.addMembers', args: { chatId, userIds: people.map((p) => p.id) } },
        { userId: this.#me, members: people.map(asMember) }
      )
    );
  }

  removeMember(chatId: string, userId: string): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: 'chat.removeMember', args: { chatId, userId } }, { userId: this.#me })
    );
  }

  leave(chatId: string): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: 'chat.leave', args: { chatId } }, { userId: this.#me })
    );
  }

  /** Mutes the chat on all this person's devices until `until` (null: until turned on again). */
  mute(chatId: string, until: Date | null): Promise<Enqueued> {
    const args = { chatId, until: until?.toISOString() ?? null };
    return withDb(db, () => enqueue(db, { type: 'chat.mute', args }, { userId: this.#me }));
  }

  unmute(chatId: string): Promise<Enqueued> {
    return withDb(db, () =>
      enqueue(db, { type: 'chat.unmute', args: { chatId } }, { userId: this.#me })
    );
  }

  /** Moves the read marker up to `seq` (never down); the server hears of it with the next push. */
  async markRead(chat: LocalChat, seq: number): Promise<void> {
    if (seq <= chat.readSeq || !chat.server) return;
    await withDb(db, () =>
      enqueue(db, { type: 'chat.read', args: { chatId: chat.id, seq } }, { userId: this.#me })
    );
  }

  dismissNotice(chatId: string): Promise<void> {
    return withDb(db, () => dismissNotice(db, chatId));
  }

  discard(chatId: string): Promise<void> {
    return withDb(db, () => discardRefusedChat(db, chatId));
  }

  /**
   * Fetches the page of history before the oldest message on the device, into IndexedDB.
   * Resolves false when the chat's beginning is already on the device. Needs the network
   * (throws NetworkError offline).
   */
  async loadOlder(chatId: string): Promise<boolean> {
    const oldest = await db.messages
      .where('[chatId+order]')
      .between([chatId, 1], [chatId, LOCAL_ORDER_BASE], true, false)
      .first();
    const chat = await db.chats.get(chatId);
    if (!chat?.server) return false;
    const before = oldest?.seq ?? chat.lastSeq + 1;
    if (before <= 1) return false;
    const page = await this.#transport.history(chatId, before, HISTORY_PAGE);
    await applyHistory(db, page.messages, this.#me);
    return page.hasMore && page.messages.length > 0;
  }

  /**
   * Searches the own organization's directory and accepted external contacts. Online only:
   * throws NetworkError offline.
   */
  searchDirectory(query: string): Promise<DirectoryEntry[]> {
    return this.#transport.directory(query);
  }

  #self(): ChatMember {
    const me = session.me;
    return {
      userId: me?.id ?? '',
      name: me?.name ?? '',
      organization: me?.organization?.name ?? null,
      external: false,
      joinedAt: new Date().toISOString()
    };
  }
}

function asMember(person: DirectoryEntry): ChatMember {
  return {
    userId: person.id,
    name: person.name,
    organization: person.organization,
    external: person.external,
    joinedAt: new Date().toISOString()
  };
}

/** Newest first; the order of the chat list. */
export function chatListQuery() {
  return db.chats.orderBy('activity').reverse().toArray();
}

/** The last `limit` messages of a chat in display order: server order, then pending ones. */
export async function messagesQuery(chatId: string, limit: number) {
  const newestFirst = await db.messages
    .where('[chatId+order]')
    .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
    .reverse()
    .limit(limit)
    .toArray();
  return newestFirst.reverse();
}

export const chats = new Chats();
