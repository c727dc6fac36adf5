// What a change of the outbound or inbound switch (an organization's, or one member's override)
// does to conversations that already exist (docs/administration.md, Effects): devices learn at
// once, in the transaction of the change.
import { and, eq, inArray, isNull, sql, type Column } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import { chatChanges, recordChanges, type ChangeNotice } from '../sync/changes.ts';
import { effectiveSetting } from '../external/policy.ts';

/** Whose switches changed: every member of the organization, or one of them. */
export type Affected = { organizationId: string; memberId?: string };

/**
 * Applies the effects of the switches as they now stand for `affected`: pending requests from
 * outside to a member whose inbound chat is closed are hidden from them (they leave the chat and
 * the request can no longer be answered; the sender sees nothing change), and everyone in the
 * external chats of those members gets the chat again, read-only or open as it now is.
 */
export async function applySwitchEffects(
  tx: Db,
  affected: Affected,
  now: Date
): Promise<ChangeNotice[]> {
  const changes = [...(await hideRequestsFromOutside(tx, affected, now))];
  for (const chatId of await externalChatsOf(tx, affected)) {
    changes.push(...(await chatChanges(tx, chatId)));
  }
  return recordChanges(tx, changes, now);
}

function membersOf(affected: Affected) {
  const { users } = tables;
  return affected.memberId === undefined
    ? eq(users.organizationId, affected.organizationId)
    : and(eq(users.organizationId, affected.organizationId), eq(users.id, affected.memberId));
}

/** Someone outside the organization (a personal account or another organization's member). */
function outsider(userId: Column, organizationId: string) {
  return sql`exists (select 1 from ${tables.users} as o where o.id = ${userId}
    and (o.organization_id is null or o.organization_id <> ${organizationId}))`;
}

async function hideRequestsFromOutside(tx: Db, affected: Affected, now: Date) {
  const { messageRequests: r, users, organizations, chatMembers } = tables;
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
        membersOf(affected),
        eq(r.status, 'pending'),
        eq(r.suppressed, false),
        isNull(r.revokedAt),
        outsider(r.senderId, affected.organizationId)
      )
    );
  const closed = pending.filter((row) => !effectiveSetting(row.inboundOverride, row.inbound));
  if (closed.length === 0) return [];
  const chatIds = closed.map((row) => row.chatId);
  await tx.update(r).set({ suppressed: true }).where(inArray(r.chatId, chatIds));
  const changes = [];
  for (const { chatId, recipientId } of closed) {
    await tx
      .update(chatMembers)
      .set({ leftAt: now })
      .where(
        and(
          eq(chatMembers.chatId, chatId),
          eq(chatMembers.userId, recipientId),
          isNull(chatMembers.leftAt)
        )
      );
    // Only the recipient: to the sender the request is still pending, as for any unavailable address.
    changes.push(...(await chatChanges(tx, chatId, [], [recipientId])));
  }
  return changes;
}

/** Chats where an affected member is with someone outside, or that an affected member's request opened. */
async function externalChatsOf(tx: Db, affected: Affected): Promise<string[]> {
  const { chatMembers: m, users, messageRequests: r } = tables;
  const withOutsiders = await tx
    .selectDistinct({ chatId: m.chatId })
    .from(m)
    .innerJoin(users, eq(users.id, m.userId))
    .where(
      and(
        membersOf(affected),
        isNull(m.leftAt),
        sql`exists (select 1 from ${m} as other join ${users} as ou on ou.id = other.user_id
          where other.chat_id = ${m.chatId} and other.left_at is null
          and (ou.organization_id is null or ou.organization_id <> ${affected.organizationId}))`
      )
    );
  const requested = await tx
    .select({ chatId: r.chatId })
    .from(r)
    .innerJoin(users, eq(users.id, r.senderId))
    .where(and(membersOf(affected), eq(r.status, 'pending')));
  return [...new Set([...withOutsiders, ...requested].map((row) => row.chatId))].sort();
}
