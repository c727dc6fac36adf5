// The device's own copy of what the app has seen, so it opens and works with no network.
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { Me } from '$lib/api/types';
import type {
  ChatMember,
  ChatState,
  MutationBody,
  MutationType,
  MuteState,
  RequestState
} from '$common/protocol';
import type { QueuedMutation } from '$common/replay';

/** The signed-in user's profile as last confirmed by the server. Only ever one row. */
export interface CachedProfile {
  key: 'me';
  me: Me;
  /** `Date.now()` when the server last confirmed it. */
  savedAt: number;
}

/** A refusal from the server, kept beside what it refused so the user can read why. */
export interface Refusal {
  code: string;
  message: string;
}

/**
 * A chat as the UI shows it: the server's last word (`server`) with this device's unanswered
 * mutations replayed on top (name, members, active, readSeq). Rebuilt by `sync/chat-view.ts`
 * whenever either side changes, so a refused rename or leave falls back to the server's state.
 */
export interface LocalChat {
  id: string;
  kind: 'direct' | 'group';
  name: string | null;
  createdBy: string;
  createdAt: string;
  members: ChatMember[];
  active: boolean;
  /** Some two members are external to each other, or it is a request to an outside address. */
  external: boolean;
  /**
   * The chat began as a message request: the server's view, with this device's unanswered
   * answers (accept, decline, block) and invitation changes replayed on top.
   */
  request: RequestState | null;
  /** Highest server message sequence known on this device. */
  lastSeq: number;
  /** Own read marker (highest seq read), never lowered. */
  readSeq: number;
  /**
   * Own mute, from the server with this device's unanswered mute/unmute replayed on top (absent
   * on rows stored before mutes: not muted).
   */
  mute?: MuteState | null;
  /** Other members' read markers, when the server tells them. */
  reads: Record<string, number>;
  /**
   * Acknowledged messages above `readSeq`. Own messages never count: applying one moves
   * `readSeq` up to it (writing in a chat means having read it).
   */
  unread: number;
  /** Messages of this chat still waiting in the outbox. */
  pending: number;
  /** Last message (acknowledged or not) for the chat list. */
  preview: { body: string; authorId: string; at: string; pending: boolean; order: number } | null;
  /** Sort key of the chat list: ms of the last activity (message, creation). */
  activity: number;
  /** The server's state; null while the chat exists only on this device. */
  server: ChatState | null;
  /** Set when the server refused to create this chat. */
  refused: Refusal | null;
  /**
   * The server already had a 1:1 chat with this person (`direct_chat_exists`): this local chat's
   * messages are sent there instead, and the screen follows.
   */
  movedTo: string | null;
  /** The last change to this chat the server refused (rename, members, leave), until dismissed. */
  notice: (Refusal & { type: MutationType }) | null;
  /**
   * Changes to the chat the server applied but whose result the device has not pulled yet,
   * replayed before the outbox: an accepted request or a rename must not flicker back to the
   * older server state in between. Absent on rows stored before it (read as empty).
   */
  settled?: SettledMutation[];
}

/** An applied mutation, kept until a server state of its chat pulled after the answer. */
export type SettledMutation = QueuedMutation & {
  /** The device's pull cursor when the answer came: a chat change past it includes the effect. */
  cursor: number;
};

export type MessageStatus = 'sent' | 'pending' | 'failed';

/** Pending and refused messages sort after every acknowledged one, in the order they were typed. */
export const LOCAL_ORDER_BASE = 2 ** 40;

export interface LocalMessage {
  id: string;
  chatId: string;
  /** Server sequence in the chat; null until acknowledged. */
  seq: number | null;
  /** Sort key: `seq` once acknowledged, else LOCAL_ORDER_BASE + the typing order on the device. */
  order: number;
  authorId: string;
  body: string;
  sentAt: string;
  createdAt: string | null;
  status: MessageStatus;
  /** Why the server refused it (`status: 'failed'`). */
  refusal: Refusal | null;
}

export type OutboxState = 'queued' | 'sending';

/** A mutation the server has not answered yet. Leaves the outbox when answered. */
export type OutboxRow = {
  /** Device sequence: 1, 2, 3… without gaps. */
  seq: number;
  id: string;
  at: string;
  /** Every mutation names a chat; indexed so a chat's pending changes can be replayed. */
  chatId: string;
  state: OutboxState;
  /** Names of the people a create or add names, to show them before the server answers. */
  members?: ChatMember[];
  /** `chat.startExternal`: the sender's pre-acceptance cap as the device knows it. */
  cap?: number;
} & MutationBody;

export type MetaKey = 'deviceId' | 'nextSeq' | 'cursor' | 'bootstrapped' | 'userId';

/** Sync bookkeeping, one row per key. */
export interface MetaRow {
  key: MetaKey;
  value: string | number | boolean;
}

/** What the user was typing in a chat, kept across reloads. */
export interface DraftRow {
  chatId: string;
  text: string;
  savedAt: number;
}

/** Tables that hold one person's chats; wiped when someone else signs in. */
export const CHAT_TABLES = ['chats', 'messages', 'outbox', 'meta', 'drafts'] as const;

export class ParleyDB extends Dexie {
  declare profile: EntityTable<CachedProfile, 'key'>;
  declare chats: EntityTable<LocalChat, 'id'>;
  declare messages: EntityTable<LocalMessage, 'id'>;
  declare outbox: Table<OutboxRow, number>;
  declare meta: EntityTable<MetaRow, 'key'>;
  declare drafts: EntityTable<DraftRow, 'chatId'>;

  constructor(name = 'parley') {
    super(name);
    this.version(1).stores({ profile: 'key' });
    // Chats and the sync engine. Nothing from version 1 changes shape, so no upgrade() is needed.
    this.version(2).stores({
      chats: 'id, activity',
      messages: 'id, [chatId+order]',
      outbox: 'seq, chatId',
      meta: 'key',
      drafts: 'chatId'
    });
    // External contacts: two fields on chats, no new index. Rows written before them get the
    // values their stored server state implies (older servers sent neither: not external).
    this.version(3)
      .stores({})
      .upgrade((tx) =>
        tx
          .table<LocalChat>('chats')
          .toCollection()
          .modify((chat) => {
            chat.external ??= chat.server?.external ?? false;
            chat.request ??= chat.server?.request ?? null;
          })
      );
  }

  /**
   * Read the cached profile. Works offline (IndexedDB is local). Resolves `undefined` when
   * nobody has signed in on this device, or the browser refuses storage (some private modes).
   */
  async cachedMe(): Promise<CachedProfile | undefined> {
    try {
      return await this.profile.get('me');
    } catch {
      return undefined;
    }
  }

  /**
   * Store the profile the server just sent. Only called with a server answer, never with an
   * edit the server has not accepted, so the cache cannot hold a name the server refused.
   * Offline this is never reached (there is no answer to store). When a different person signs
   * in on this device, the previous person's chats and unsent mutations are wiped in the same
   * transaction, so they can never be shown to, or sent as, someone else. A storage failure is
   * swallowed: the app still works, it just won't open offline next time.
   */
  async saveMe(me: Me): Promise<void> {
    try {
      await this.transaction(
        'rw',
        [this.profile, ...CHAT_TABLES.map((n) => this.table(n))],
        async () => {
          const owner = await this.meta.get('userId');
          if (owner && owner.value !== me.id) {
            await Promise.all(CHAT_TABLES.map((n) => this.table(n).clear()));
          }
          await this.meta.put({ key: 'userId', value: me.id });
          await this.profile.put({ key: 'me', me, savedAt: Date.now() });
        }
      );
    } catch {
      // Quota or private mode: nothing to do but run without an offline copy.
    }
  }

  /**
   * Forget the user on this device. Purely local, so it works offline.
   * - `everything` (sign-out): every table, so no chat outlives the session on a shared device.
   * - `session` (the server said 401): only the profile. Chats and the outbox stay, tagged with
   *   the user's id, so messages typed before the session expired are sent after the same
   *   person signs in again; `saveMe` wipes them if someone else signs in instead.
   */
  async forgetUser(scope: 'everything' | 'session' = 'everything'): Promise<void> {
    try {
      const tables = scope === 'everything' ? this.tables : [this.profile];
      await this.transaction('rw', tables, () => Promise.all(tables.map((t) => t.clear())));
    } catch {
      // Nothing stored, or storage unavailable: nothing to forget.
    }
  }
}

export const db = new ParleyDB();

/**
 * The connection is gone: closed by the browser (storage cleared, Safari dropping idle
 * connections, a version change from another tab) rather than a failed query.
 */
export function isClosedError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const names = [error.name, (error as { inner?: Error }).inner?.name];
  return names.some((name) => name === 'DatabaseClosedError' || name === 'InvalidStateError');
}

/** Opens the connection again after it was closed under us. */
export async function reopen(database: ParleyDB): Promise<void> {
  if (!database.isOpen()) await database.open();
}

/**
 * Runs `work` against IndexedDB; if the connection was closed under it, reopens and tries once
 * more, so the user sees their action succeed instead of an error.
 */
export async function withDb<T>(database: ParleyDB, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isClosedError(error)) throw error;
    database.close({ disableAutoOpen: false });
    await reopen(database);
    return work();
  }
}
