// The sync protocol between a device and the server: shared types only (no runtime code), so the
// server's schemas and the client's outbox cannot drift apart. Described in docs/sync-protocol.md.

/** Sent by a device; applied exactly once, in `seq` order per device. */
export type Mutation = {
  /** Client-generated UUID of the mutation itself (not of the thing it creates). */
  id: string;
  /** 1, 2, 3… per device, with no gaps. */
  seq: number;
  /** Device clock when the user acted; shown, never used for ordering. */
  at: string;
} & MutationBody;

export type MutationBody =
  | { type: 'chat.createDirect'; args: { chatId: string; userId: string } }
  | { type: 'chat.createGroup'; args: { chatId: string; name: string; memberIds: string[] } }
  | { type: 'chat.rename'; args: { chatId: string; name: string } }
  | { type: 'chat.addMembers'; args: { chatId: string; userIds: string[] } }
  | { type: 'chat.removeMember'; args: { chatId: string; userId: string } }
  | { type: 'chat.leave'; args: { chatId: string } }
  | { type: 'message.send'; args: { chatId: string; messageId: string; body: string } }
  | { type: 'chat.read'; args: { chatId: string; seq: number } };

export type MutationType = MutationBody['type'];

export type MutationResult =
  /** `chatSeq`: the place the server gave a sent message in its chat. */
  | { id: string; seq: number; status: 'applied'; chatSeq?: number }
  /**
   * Final: the device's sequence still advances; the client never retries it blindly.
   * `details` carries what the code needs, e.g. `{ chatId }` for `direct_chat_exists`.
   */
  | {
      id: string;
      seq: number;
      status: 'rejected';
      code: string;
      message: string;
      details?: Record<string, string | number>;
    };

export type PushRequest = { deviceId: string; mutations: Mutation[] };
export type PushResponse = { results: MutationResult[] };

export type ChatMember = {
  userId: string;
  name: string;
  /** Organization name, or null for a personal account. */
  organization: string | null;
  joinedAt: string;
};

export type ChatState = {
  id: string;
  kind: 'direct' | 'group';
  name: string | null;
  createdBy: string;
  createdAt: string;
  /** Highest message sequence in the chat. */
  lastSeq: number;
  /** This user's read marker (highest seq read). */
  readSeq: number;
  members: ChatMember[];
  /** Whether the signed-in user is still a member (false after leaving or removal). */
  active: boolean;
};

export type MessageState = {
  id: string;
  chatId: string;
  /** Per-chat order given by the server. */
  seq: number;
  authorId: string;
  body: string;
  /** Device time of sending (display only). */
  sentAt: string;
  /** Server time of acceptance. */
  createdAt: string;
};

export type Change =
  | { cursor: number; type: 'chat'; chat: ChatState }
  | { cursor: number; type: 'message'; message: MessageState }
  | { cursor: number; type: 'read'; chatId: string; userId: string; seq: number };

export type PullResponse = { changes: Change[]; cursor: number; hasMore: boolean };

export type BootstrapResponse = {
  /** Pull from here on. */
  cursor: number;
  chats: ChatState[];
  /** The most recent messages of each chat; older ones via the history endpoint. */
  messages: MessageState[];
};

export type HistoryResponse = { messages: MessageState[]; hasMore: boolean };

/** Server → device over the WebSocket. */
export type ServerEvent =
  | { type: 'hello'; cursor: number }
  /** Something changed: pull from your cursor. */
  | { type: 'poke'; cursor: number }
  /** The change itself, when the device is known to be caught up to `after`. */
  | { type: 'changes'; after: number; changes: Change[] };

/** Device → server over the WebSocket: "I have applied everything up to `cursor`". */
export type ClientEvent = { type: 'ack'; cursor: number };

export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_PUSH_BATCH = 100;
export const RECENT_MESSAGES_PER_CHAT = 50;
