// What a change of the outbound or inbound switch (an organization's, or one member's override)
// does to conversations that already exist (docs/administration.md, Effects), applied to a few
// chats at a time after the change commits (`spread.ts`).
import { and, eq, inArray, isNull, ne, sql, type Column } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import { leaveChat } from '../sync/membership.ts';
import {
  chatChanges,
  chatsChanges,
  recordChanges,
  type ChangeNotice,
  type NewChange
} from '../sync/changes.ts';
import { effectiveSetting } from '../external/policy.ts';

/** Whose switches changed: every member of the organization, or one of them. */
export type Affected = { organizationId: string; memberId?: string };

/**
 * Applies the effects of the switches as they now stand for `affected`, in the chats `chatIds`
 * among theirs: pending requests from outside to a member whose inbound chat is closed are
 * hidden from them (they leave the chat and the request can no longer be answered; the sender
 * sees nothing change), and everyone in the external chats of those members gets the chat again,
 * read-only or open as it now is (in a request not yet accepted, only the affected member does).
 */
export async function applySwitchEffects(
  tx: Db,
  affected: Affected,
  chatIds: string[],
  now: Date
): Promise<ChangeNotice[]> {
  if (chatIds.length === 0) return [];
  const changes = [...(await hideRequestsFromOutside(tx, affected, chatIds, now))];
  changes.push(...(await chatsChanges(tx, await externalChatsOf(tx, affected, chatIds))));
  return recordChanges(tx, changes, now);
}

function membersOf(affected: Affected) {
  const { users } = tables;
  return affected.memberId === undefined
    ? eq(users.organizationId, affected.organizationId)
    : and(eq(users.organizationId, affected.organizationId), eq(users.id, affected.memberId));
}

/** SQL: the user is outside the organization (a personal account or another's member). */
export function isOutsider(userId: Column, organizationId: string) {
  return sql`exists (select 1 from ${tables.users} as o where o.id = ${userId}
    and (o.organization_id is null or o.organization_id <> ${organizationId}))`;
}

/** SQL: the chat has a current member outside the organization. */
export function hasOutsider(chatId: Column, organizationId: string) {
  const { chatMembers, users } = tables;
  return sql`exists (select 1 from ${chatMembers} as other join ${users} as ou on ou.id = other.user_id
    where other.chat_id = ${chatId} and other.left_at is null
    and (ou.organization_id is null or ou.organization_id <> ${organizationId}))`;
}

/**
 * The next `limit` chats after `after` (in id order) that a current member among `affected` is
 * in: the chats a switch may change, walked a few at a time.
 */
export async function chatsOfMembersAfter(
  tx: Db,
  affected: Affected,
  after: string | null,
  limit: number
): Promise<string[]> {
  const { chatMembers: m, users } = tables;
  // `|| ''` keeps SQLite off the organization index, which would read every membership of
  // the organization and sort them all for each batch; walking the chat key stops at `limit`.
  const inOrganization = sql`${users.organizationId} || '' = ${affected.organizationId}`;
  const rows = await tx
    .selectDistinct({ chatId: m.chatId })
    .from(m)
    .innerJoin(users, eq(users.id, m.userId))
    .where(
      and(
        affected.memberId === undefined ? inOrganization : eq(m.userId, affected.memberId),
        isNull(m.leftAt),
        after === null ? undefined : sql`${m.chatId} > ${after}`
      )
    )
    .orderBy(m.chatId)
    .limit(limit);
  return rows.map((row) => row.chatId);
}

async function hideRequestsFromOutside(tx: Db, affected: Affected, chatIds: string[], now: Date) {
  const { messageRequests: r, users, organizations } = tables;
  const pending = await tx
    .select({
      chatId: r.chatId,
      recipientId: users.id,
      inboundOverride: users.inboundOverride,
      inbound: organizations.inboundExternal
    })
    .from(r)
    .innerJoin(users, eq(users.id, r.recipientId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        inArray(r.chatId, chatIds),
        membersOf(affected),
        eq(r.status, 'pending'),
        eq(r.suppressed, false),
        isNull(r.revokedAt),
        isOutsider(r.senderId, affected.organizationId)
      )
    );
  const changes = [];
  for (const { chatId, recipientId, inboundOverride, inbound } of pending) {
    if (effectiveSetting(inboundOverride, inbound)) continue;
    changes.push(...(await hideRequest(tx, chatId, recipientId, now)));
  }
  return changes;
}

/**
 * Hides a pending request from its recipient: it can no longer be answered and they leave the
 * chat. Only the recipient is told; to the sender it stays pending, as for any unavailable
 * address. Does nothing if the request was answered meanwhile (the update re-checks it).
 */
export async function hideRequest(
  tx: Db,
  chatId: string,
  recipientId: string,
  now: Date
): Promise<NewChange[]> {
  const { messageRequests: r } = tables;
  const hidden = await tx
    .update(r)
    .set({ suppressed: true })
    .where(and(eq(r.chatId, chatId), eq(r.status, 'pending'), eq(r.suppressed, false)))
    .returning({ chatId: r.chatId });
  if (hidden.length === 0) return [];
  await leaveChat(tx, chatId, recipientId, now);
  return chatChanges(tx, chatId, [], [recipientId]);
}

/**
 * The chats whose view changes for the affected members, and who is to be told: everyone in an
 * external chat; only the affected members themselves in a request not yet accepted (its
 * other side must not notice anything of them).
 */
async function externalChatsOf(
  tx: Db,
  affected: Affected,
  chatIds: string[]
): Promise<{ chatId: string; only?: string[] }[]> {
  const { chatMembers: m, users, messageRequests: r } = tables;
  const withOutsiders = await tx
    .select({ chatId: m.chatId, userId: m.userId, status: r.status })
    .from(m)
    .innerJoin(users, eq(users.id, m.userId))
    .leftJoin(r, eq(r.chatId, m.chatId))
    .where(
      and(
        inArray(m.chatId, chatIds),
        membersOf(affected),
        isNull(m.leftAt),
        hasOutsider(m.chatId, affected.organizationId)
      )
    );
  const requested = await tx
    .select({ chatId: r.chatId, userId: r.senderId, status: r.status })
    .from(r)
    .innerJoin(users, eq(users.id, r.senderId))
    // Declined and blocked requests are still pending to their sender: updated alike.
    .where(and(inArray(r.chatId, chatIds), membersOf(affected), ne(r.status, 'accepted')));
  const chats = new Map<string, { chatId: string; only?: string[] }>();
  for (const row of [...withOutsiders, ...requested]) {
    const open = row.status === null || row.status === 'accepted';
    const chat = chats.get(row.chatId) ?? { chatId: row.chatId, ...(open ? {} : { only: [] }) };
    if (chat.only && !chat.only.includes(row.userId)) chat.only.push(row.userId);
    chats.set(row.chatId, chat);
  }
  return [...chats.values()].sort((a, b) => (a.chatId < b.chatId ? -1 : 1));
}
