// The offline projection of a chat: the server's last word with the device's unanswered mutations
// replayed on top, so the device shows what it did before the server answers, and a refused
// change falls back to the server's state once it leaves the queue. Pure, beside the protocol.
import {
  DEFAULT_REQUEST_CAP,
  INVITATION_LIFETIME_MS,
  type ChatMember,
  type ChatState,
  type InvitationState,
  type MutationBody,
  type MuteState,
  type RequestState
} from './protocol.ts';

/** A mutation as the device queued it, with what it knew then to show it before the answer. */
export type QueuedMutation = MutationBody & {
  /** Device clock when the user acted. */
  at: string;
  /** The people a create or add names. */
  members?: ChatMember[];
  /** `chat.startExternal`: the sender's pre-acceptance cap as the device knows it. */
  cap?: number;
};

/** The fields of a chat the replay derives; the device's row holds more (list figures…). */
export interface ReplayedChat {
  kind: ChatState['kind'];
  name: string | null;
  createdBy: string;
  createdAt: string;
  members: ChatMember[];
  active: boolean;
  external: boolean;
  request: RequestState | null;
  lastSeq: number;
  readSeq: number;
  /** The person's own mute (on all their devices); absent or null: not muted. */
  mute?: MuteState | null;
  /** The server's state; null while the chat exists only on the device. */
  server: ChatState | null;
}

/**
 * The chat with the server's state, then the device's unanswered mutations replayed in device
 * order. Every mutation is an idempotent "set", so replaying over a chat that exists only on the
 * device (no server state yet) changes nothing that is already there. `hadRow`: the device
 * already showed this chat, so a create replayed again does not reset it.
 */
export function replay<Chat extends ReplayedChat>(
  previous: Chat,
  hadRow: boolean,
  mutations: readonly QueuedMutation[],
  me: string
): Chat {
  const chat = { ...previous };
  // Writes go through the fields the replay owns; the rest of the row is carried as it was.
  const row: ReplayedChat = chat;
  if (row.server) {
    const s = row.server;
    Object.assign(row, {
      kind: s.kind,
      name: s.name,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
      members: s.members,
      active: s.active,
      // A server older than external contacts sends neither field.
      external: s.external ?? false,
      request: s.request ?? null,
      lastSeq: Math.max(row.lastSeq, s.lastSeq),
      readSeq: Math.max(row.readSeq, s.readSeq),
      // A server older than mutes sends none.
      mute: s.mute ?? null
    } satisfies Omit<ReplayedChat, 'server'>);
  }
  for (const m of mutations) {
    switch (m.type) {
      case 'chat.createDirect':
      case 'chat.createGroup':
        if (!row.server && !hadRow) {
          row.kind = m.type === 'chat.createDirect' ? 'direct' : 'group';
          row.name = m.type === 'chat.createGroup' ? m.args.name : null;
          row.createdBy = me;
          row.createdAt = m.at;
          row.members = m.members ?? [];
          row.external = row.members.some((member) => member.external);
        }
        break;
      case 'chat.startExternal':
        // Until the server answers, the sender sees what it will show: only themselves, the
        // address, a pending request and an invitation sent now (whoever holds the address).
        if (!row.server && !hadRow) {
          row.kind = 'direct';
          row.name = null;
          row.createdBy = me;
          row.createdAt = m.at;
          row.members = m.members ?? [];
          row.external = true;
          row.request = {
            role: 'sender',
            state: 'pending',
            address: m.args.address,
            cap: m.cap ?? DEFAULT_REQUEST_CAP,
            invitation: invitationSent(m.args.address, m.at)
          };
        }
        break;
      case 'request.accept':
      case 'request.decline':
      case 'request.block':
        if (row.request?.role === 'recipient' && row.request.state === 'pending') {
          const state = ANSWERS[m.type];
          row.request = { ...row.request, state };
          // Declining or blocking leaves the chat: it disappears from this person's list.
          if (state !== 'accepted') row.active = false;
        }
        break;
      case 'invitation.resend':
        if (row.request?.role === 'sender' && row.request.state === 'pending') {
          row.request = {
            ...row.request,
            invitation: {
              ...invitationSent(row.request.address, m.at),
              channel: row.request.invitation.channel
            }
          };
        }
        break;
      case 'invitation.revoke':
        if (row.request?.role === 'sender' && row.request.state === 'pending') {
          row.request = {
            ...row.request,
            invitation: { ...row.request.invitation, status: 'revoked' }
          };
        }
        break;
      case 'chat.rename':
        row.name = m.args.name;
        break;
      case 'chat.addMembers':
        row.members = mergeMembers(row.members, m.members ?? []);
        break;
      case 'chat.removeMember':
        row.members = row.members.filter((member) => member.userId !== m.args.userId);
        break;
      case 'chat.leave':
        row.active = false;
        break;
      case 'chat.read':
        row.readSeq = Math.max(row.readSeq, m.args.seq);
        break;
      case 'chat.mute':
        row.mute = { until: m.args.until };
        break;
      case 'chat.unmute':
        row.mute = null;
        break;
      case 'message.send':
        break;
    }
  }
  return chat;
}

const ANSWERS = {
  'request.accept': 'accepted',
  'request.decline': 'declined',
  'request.block': 'blocked'
} as const;

function mergeMembers(members: ChatMember[], added: ChatMember[]): ChatMember[] {
  const known = new Set(members.map((m) => m.userId));
  return [...members, ...added.filter((m) => !known.has(m.userId))];
}

/** The invitation the server will show once it has sent one at `at` (or now, if unreadable). */
function invitationSent(address: string, at: string): InvitationState {
  const sent = Date.parse(at) || Date.now();
  return {
    status: 'sent',
    channel: address.includes('@') ? 'email' : 'sms',
    sentAt: new Date(sent).toISOString(),
    expiresAt: new Date(sent + INVITATION_LIFETIME_MS).toISOString()
  };
}
