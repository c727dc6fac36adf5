// What the chat page shows, derived from the chat row, its request and its members: pure, so the
// rules are specs, and the page only puts them into words (docs/external-contacts.md).
import type { LocalChat, LocalMessage } from '$lib/db';
import type { MessageKey, Params } from '$lib/i18n';
import type { ChatMember, RequestState } from '$common/protocol';
import { isIncomingRequest } from '$lib/sync/requests';

/** The person looking at the chat; null once signed out. */
export type Viewer = { id: string; organization: string | null } | null;

export type SenderRequest = Extract<RequestState, { role: 'sender' }>;

/** A sentence of the catalogue with its parameters (names kept apart by <Phrase>). */
export type Sentence = { key: MessageKey; params: Params };

/** The request this person sent and the recipient has not accepted yet. */
export function outgoingRequest(chat: Pick<LocalChat, 'request'>): SenderRequest | null {
  const request = chat.request;
  return request?.role === 'sender' && request.state === 'pending' ? request : null;
}

/** In a 1:1 chat, the person on the other side. */
export function otherMember(
  chat: Pick<LocalChat, 'members'>,
  viewer: Viewer
): ChatMember | undefined {
  return chat.members.find((member) => member.userId !== viewer?.id);
}

/** Under the title: the invitation's state, the group's size, or where the other person is from. */
export type Subtitle =
  | { invitation: 'revoked' | 'expired' | 'sent'; expiresAt: string }
  | { members: number }
  | { organization: string | null }
  | null;

export function chatSubtitle(chat: LocalChat, viewer: Viewer, now = Date.now()): Subtitle {
  const outgoing = outgoingRequest(chat);
  if (outgoing) {
    const { status, expiresAt } = outgoing.invitation;
    if (status === 'revoked') return { invitation: 'revoked', expiresAt };
    return { invitation: Date.parse(expiresAt) < now ? 'expired' : 'sent', expiresAt };
  }
  if (chat.kind === 'group') return { members: chat.members.length };
  const other = otherMember(chat, viewer);
  return other?.external ? { organization: other.organization } : null;
}

/**
 * Above the composer of a chat that crosses the organization's border: whom it reaches. `address`
 * is the request's address as displayed (the sender of a pending request knows nothing else).
 */
export function externalBanner(chat: LocalChat, viewer: Viewer, address: string): Sentence | null {
  if (!chat.external || isIncomingRequest(chat)) return null;
  if (outgoingRequest(chat)) return { key: 'external.banner.direct', params: { name: address } };
  const organization = viewer?.organization ?? null;
  if (chat.kind === 'group') {
    return organization
      ? { key: 'external.banner.group', params: { organization } }
      : { key: 'external.banner.others', params: {} };
  }
  const other = otherMember(chat, viewer);
  if (!other) return null;
  if (organization) return { key: 'external.banner.direct', params: { name: other.name } };
  return other.organization
    ? {
        key: 'external.banner.personal',
        params: { name: other.name, organization: other.organization }
      }
    : { key: 'external.banner.personalAccount', params: { name: other.name } };
}

/** The highest server sequence among the messages on screen (0: none delivered yet). */
export function latestSeq(messages: readonly Pick<LocalMessage, 'seq'>[]): number {
  return messages.reduce((max, m) => (m.seq !== null && m.seq > max ? m.seq : max), 0);
}

/** Where "New messages" goes when the chat opens: the first unread sequence, if any. */
export function firstUnreadSeq(chat: Pick<LocalChat, 'unread' | 'readSeq'>): number | null {
  return chat.unread > 0 ? chat.readSeq + 1 : null;
}

/**
 * "Seen" under my latest delivered message: who among the other members has read up to it, by
 * name (members the device does not know by name are left out). Null while nobody has.
 */
export function seenBy(
  chat: Pick<LocalChat, 'reads' | 'members'>,
  messages: readonly Pick<LocalMessage, 'id' | 'authorId' | 'seq'>[],
  me: string | undefined
): { messageId: string; readers: string[] } | null {
  const mine = messages.findLast((m) => m.authorId === me && m.seq !== null);
  const seq = mine?.seq;
  if (!mine || !seq) return null;
  const names = new Map(chat.members.map((member) => [member.userId, member.name]));
  const readers = Object.entries(chat.reads)
    .filter(([userId, read]) => userId !== me && read >= seq)
    .map(([userId]) => names.get(userId) ?? '')
    .filter(Boolean);
  return readers.length > 0 ? { messageId: mine.id, readers } : null;
}
