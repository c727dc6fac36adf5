// How chats and messages look to each member (`ChatState`, `MessageState` in
// common/protocol.ts): the rows the views are made from, and the pure projections. The change
// log (changes.ts) and the bootstrap (reads.ts) both write what these return.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type {
  ChatMember,
  ChatState,
  MessageState,
  RequestState
} from '../../../common/protocol.ts';
import { tables, type Db } from '../../store/index.ts';
import type { ChatRow, MessageRequestRow, MessageRow } from '../../store/schema.ts';
import { areExternal, effectiveSetting, readOnlyReason, requestCap } from '../external/policy.ts';
import { sanitizeDisplayName } from '../names.ts';

export function toMessageState(row: MessageRow): MessageState {
  return {
    id: row.id,
    chatId: row.chatId,
    seq: Number(row.seq),
    authorId: row.authorId,
    body: row.body,
    sentAt: row.sentAt.toISOString(),
    createdAt: row.createdAt.toISOString()
  };
}

export type MemberRow = {
  chatId: string;
  userId: string;
  name: string;
  organizationId: string | null;
  organization: string | null;
  joinedAt: Date;
  leftAt: Date | null;
  readSeq: number;
  /** Their effective outbound setting: whether they may write to people outside. */
  outboundOpen: boolean;
  /** Their mute of this chat, null when they never muted it or turned it on again. */
  mute: { until: Date | null } | null;
};

/** Membership rows (current and former) with names: of one chat, or of the chats a subquery selects. */
export async function chatMemberRows(db: Db, which: SQL | string): Promise<MemberRow[]> {
  const { chatMembers, users, organizations, chatMutes } = tables;
  const rows = await db
    .select({
      chatId: chatMembers.chatId,
      userId: chatMembers.userId,
      name: users.name,
      organizationId: users.organizationId,
      organization: organizations.name,
      joinedAt: chatMembers.joinedAt,
      leftAt: chatMembers.leftAt,
      readSeq: chatMembers.readSeq,
      outboundOverride: users.outboundOverride,
      outbound: organizations.outboundExternal,
      muted: chatMutes.userId,
      mutedUntil: chatMutes.until
    })
    .from(chatMembers)
    .innerJoin(users, eq(users.id, chatMembers.userId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .leftJoin(
      chatMutes,
      and(eq(chatMutes.chatId, chatMembers.chatId), eq(chatMutes.userId, chatMembers.userId))
    )
    .where(
      typeof which === 'string'
        ? eq(chatMembers.chatId, which)
        : sql`${chatMembers.chatId} in (${which})`
    );
  return rows.map(({ outboundOverride, outbound, muted, mutedUntil, ...row }) => ({
    ...row,
    outboundOpen: effectiveSetting(outboundOverride, outbound),
    mute: muted === null ? null : { until: mutedUntil }
  }));
}

export function toChatMember(row: MemberRow, viewer: MemberRow | undefined): ChatMember {
  return {
    userId: row.userId,
    // Rows written before the name rule are shown cleaned (docs/external-contacts.md).
    name: sanitizeDisplayName(row.name),
    organization: row.organization,
    // Nobody is external to themselves (a personal account is external to everyone else).
    external:
      row.userId !== viewer?.userId &&
      areExternal(viewer?.organizationId ?? null, row.organizationId),
    joinedAt: row.joinedAt.toISOString()
  };
}

/** A message request as the views need it: part of its row and the sender's cap. */
export type RequestViewRow = Pick<
  MessageRequestRow,
  | 'chatId'
  | 'senderId'
  | 'recipientId'
  | 'address'
  | 'channel'
  | 'status'
  | 'sentAt'
  | 'expiresAt'
  | 'revokedAt'
> & { cap: number };

/** The requests of one chat, or of the chats a subquery selects. */
export async function requestViewRows(db: Db, which: SQL | string): Promise<RequestViewRow[]> {
  const { messageRequests: r, users, organizations } = tables;
  const rows = await db
    .select({
      chatId: r.chatId,
      senderId: r.senderId,
      recipientId: r.recipientId,
      address: r.address,
      channel: r.channel,
      status: r.status,
      sentAt: r.sentAt,
      expiresAt: r.expiresAt,
      revokedAt: r.revokedAt,
      organizationCap: organizations.requestCap
    })
    .from(r)
    .innerJoin(users, eq(users.id, r.senderId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(typeof which === 'string' ? eq(r.chatId, which) : sql`${r.chatId} in (${which})`);
  return rows.map(({ organizationCap, ...row }) => ({
    ...row,
    cap: requestCap(organizationCap === null ? null : { requestCap: organizationCap })
  }));
}

/** What `viewer` may know of a request: the sender never learns more than pending. */
function toRequestState(request: RequestViewRow, viewer: string): RequestState | null {
  if (viewer === request.senderId) {
    return {
      role: 'sender',
      state: request.status === 'accepted' ? 'accepted' : 'pending',
      address: request.address,
      cap: request.cap,
      invitation: {
        status: request.revokedAt === null ? 'sent' : 'revoked',
        channel: request.channel,
        sentAt: request.sentAt.toISOString(),
        expiresAt: request.expiresAt.toISOString()
      }
    };
  }
  if (viewer === request.recipientId) {
    return { role: 'recipient', state: request.status, address: request.address };
  }
  return null;
}

/** Some two of the current members are external to each other. */
function mixesOrganizations(current: MemberRow[]): boolean {
  const first = current[0];
  if (!first || current.length < 2) return false;
  return current.some(
    (row) => row !== first && areExternal(first.organizationId, row.organizationId)
  );
}

/** The chat as `viewer` sees it, from all of its membership rows (and its request, if any). */
export function toChatState(
  chat: ChatRow,
  rows: MemberRow[],
  viewer: string,
  request: RequestViewRow | null = null
): ChatState {
  const own = rows.find((row) => row.userId === viewer);
  const current = rows.filter((row) => row.leftAt === null);
  // Before acceptance the sender sees nobody but themselves, whoever holds the address.
  const hidden = request !== null && request.status !== 'accepted' && viewer === request.senderId;
  const shown = hidden ? current.filter((row) => row.userId === viewer) : current;
  return {
    id: chat.id,
    kind: chat.kind,
    name: chat.name,
    createdBy: chat.createdBy,
    createdAt: chat.createdAt.toISOString(),
    lastSeq: Number(chat.lastSeq),
    readSeq: Number(own?.readSeq ?? 0),
    members: shown.map((row) => toChatMember(row, own)),
    active: own !== undefined && own.leftAt === null,
    external: request !== null || mixesOrganizations(current),
    request: request && toRequestState(request, viewer),
    readOnly: readOnlyOf(chat, rows, request),
    mute: own?.mute ? { until: own.mute.until?.toISOString() ?? null } : null
  };
}

function readOnlyOf(
  chat: ChatRow,
  rows: MemberRow[],
  request: RequestViewRow | null
): ChatState['readOnly'] {
  const reason = readOnlyReason(chat, rows, request);
  return reason && { reason };
}
