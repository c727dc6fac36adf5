// The sync protocol between a device and the server: its types, the constants both sides hold it
// to, and the few pure helpers both run (`createsChat`), so the server's schemas and the client's
// outbox cannot drift apart. Described in docs/sync-protocol.md.

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
  | { type: 'chat.read'; args: { chatId: string; seq: number } }
  /**
   * No notifications from this chat for the actor, on every device, until `until` (ISO time,
   * within MAX_MUTE_MS) or, with null, until `chat.unmute`.
   */
  | { type: 'chat.mute'; args: { chatId: string; until: string | null } }
  | { type: 'chat.unmute'; args: { chatId: string } }
  /**
   * Start a 1:1 chat with whoever holds `address` (canonical email, or E.164 phone read with the
   * actor's region on the device). Enumeration-safe: applied the same way whether the address has
   * an account, is blocked or refuses requests (docs/external-contacts.md).
   */
  | { type: 'chat.startExternal'; args: { chatId: string; address: string } }
  /** The recipient's answer to a message request. */
  | { type: 'request.accept'; args: { chatId: string } }
  | { type: 'request.decline'; args: { chatId: string } }
  | { type: 'request.block'; args: { chatId: string } }
  /** The sender's control of the invitation of a pending request: new token and expiry / withdraw. */
  | { type: 'invitation.resend'; args: { chatId: string } }
  | { type: 'invitation.revoke'; args: { chatId: string } };

export type MutationType = MutationBody['type'];

/** The mutations that make a new chat (their `chatId` is the device's choice of id). */
export type ChatCreation = 'chat.createDirect' | 'chat.createGroup' | 'chat.startExternal';

export function createsChat(type: MutationType): type is ChatCreation {
  return (
    type === 'chat.createDirect' || type === 'chat.createGroup' || type === 'chat.startExternal'
  );
}

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
  /** Outside the viewer's organization (a personal account is external to everyone else). */
  external: boolean;
  joinedAt: string;
};

/** The pre-acceptance cap when the sender's organization has not lowered it (also its maximum). */
export const DEFAULT_REQUEST_CAP = 10;

/** The longest a timed mute may last (a longer one is "until turned on"). */
export const MAX_MUTE_MS = 366 * 24 * 60 * 60 * 1000;

/** The viewer's mute of a chat: `until` null means until they turn it on again. */
export type MuteState = { until: string | null };

/** Whether `mute` silences the chat at `now` (a timed mute that ended does not). */
export function isMuted(mute: MuteState | null | undefined, now: Date): boolean {
  return !!mute && (mute.until === null || Date.parse(mute.until) > now.getTime());
}

/** How long an invitation link works after it is (re)sent (docs/external-contacts.md). */
export const INVITATION_LIFETIME_MS = 14 * 24 * 60 * 60 * 1000;

/** How the sender of a pending request sees its invitation (identical whoever holds the address). */
export type InvitationState = {
  status: 'sent' | 'revoked';
  channel: 'email' | 'sms';
  sentAt: string;
  /** The link stops working then; the sender can resend before or after. */
  expiresAt: string;
};

/**
 * A chat that began as a message request across an organization border. The sender never
 * learns more than `pending` until the recipient accepts: decline and block look like pending.
 */
export type RequestState =
  | {
      role: 'sender';
      state: 'pending' | 'accepted';
      /** The address the sender typed: all they know of the recipient before acceptance. */
      address: string;
      /** Messages the sender may send before acceptance (1–10, set by their organization). */
      cap: number;
      invitation: InvitationState;
    }
  | {
      role: 'recipient';
      /** `declined` and `blocked` reach only the recipient's own devices (the chat is hidden). */
      state: 'pending' | 'accepted' | 'declined' | 'blocked';
      /** The recipient's address the sender used ("why am I seeing this"). */
      address: string;
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
  /** Some two members are external to each other, or it is a request to an outside address. */
  external: boolean;
  /** Present when the chat began as a message request (see RequestState); null otherwise. */
  request: RequestState | null;
  /**
   * Set while an organization's policy stops everyone from writing here (docs/administration.md);
   * absent or null: the chat is open.
   */
  readOnly?: { reason: ReadOnlyReason } | null;
  /**
   * The viewer's own mute (on all their devices); absent or null: not muted. A timed mute is
   * kept after its end: compare `until` with the clock (`isMuted`).
   */
  mute?: MuteState | null;
};

/** Why a chat is read-only: its members' organization closed outbound chat, or blocked someone. */
export type ReadOnlyReason = 'policy_outbound_disabled' | 'policy_blocked_by_organization';

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
  /**
   * `userId` is the reader: the viewer's own devices, or (outside pending requests) another
   * member's read receipt.
   */
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
export type ClientEvent =
  | { type: 'ack'; cursor: number }
  /** Whether the page is showing: a device showing the app gets no push notification. */
  | { type: 'visibility'; visible: boolean };

export const MAX_PUSH_BATCH = 100;
export const RECENT_MESSAGES_PER_CHAT = 50;
