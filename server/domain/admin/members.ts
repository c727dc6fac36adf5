// An organization's members as its admins manage them: roles and per-person overrides of the
// outbound and inbound settings, and removal, each change audited.
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import type { Role, UserRow } from '../../store/schema.ts';
import { DomainError } from '../errors.ts';
import { containsPattern } from '../directory.ts';
import { recordAudit } from '../audit.ts';
import { revokeAllSessions } from '../sessions.ts';
import { chatChanges, recordChanges, type ChangeNotice } from '../sync/changes.ts';
import type { Admin } from './access.ts';
import { queueSwitchEffects } from './spread.ts';
import { sanitizeDisplayName } from '../names.ts';

export const MEMBERS_LIMIT = 50;

/** An override as the page shows it: the organization's setting, or forced on or off. */
export type Override = 'default' | 'on' | 'off';

export type Member = {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  role: Role;
  outbound: Override;
  inbound: Override;
};

export type MemberPatch = { role?: Role; outbound?: Override; inbound?: Override };

export const toOverride = (value: boolean | null): Override =>
  value === null ? 'default' : value ? 'on' : 'off';
/** As a value to store: null follows the organization's setting. */
export const fromOverride = (value: Override) => (value === 'default' ? null : value === 'on');

function toMember(user: UserRow): Member {
  return {
    id: user.id,
    name: sanitizeDisplayName(user.name),
    email: user.email,
    phone: user.phone,
    role: user.role ?? 'member',
    outbound: toOverride(user.outboundOverride),
    inbound: toOverride(user.inboundOverride)
  };
}

/** Members whose name, email or phone contains `query`; admins first, then by name. */
export async function searchMembers(
  db: Db,
  organizationId: string,
  query: string
): Promise<Member[]> {
  const { users } = tables;
  const q = query.trim();
  const pattern = containsPattern(q);
  const matches = q
    ? or(
        sql`lower(${users.name}) like ${pattern} escape '\\'`,
        sql`lower(${users.email}) like ${pattern} escape '\\'`,
        sql`${users.phone} like ${pattern} escape '\\'`
      )
    : undefined;
  const rows = await db
    .select()
    .from(users)
    .where(and(eq(users.organizationId, organizationId), isNull(users.removedAt), matches))
    .orderBy(
      sql`case when ${users.role} = 'admin' then 0 else 1 end`,
      asc(users.name),
      asc(users.id)
    )
    .limit(MEMBERS_LIMIT);
  return rows.map(toMember);
}

/** A current member of the organization (removed people are no longer members). */
async function memberOf(tx: Db, organizationId: string, userId: string): Promise<UserRow> {
  const { users } = tables;
  const [user] = await tx
    .select()
    .from(users)
    .where(
      and(eq(users.id, userId), eq(users.organizationId, organizationId), isNull(users.removedAt))
    )
    .limit(1);
  if (!user) {
    throw new DomainError('member_not_found', 'This person is not a member of the organization.');
  }
  return user;
}

/**
 * Changes a member's role and overrides in the caller's transaction (which holds the
 * organization's lock), recording one event per changed field. The organization always keeps
 * an admin.
 */
export async function updateMember(
  tx: Db,
  admin: Admin,
  userId: string,
  patch: MemberPatch,
  now: Date
): Promise<{ member: Member; spread: boolean }> {
  const { users } = tables;
  const organizationId = admin.organization.id;
  const user = await memberOf(tx, organizationId, userId);
  const before = toMember(user);
  const role = patch.role ?? before.role;
  const outbound = patch.outbound ?? before.outbound;
  const inbound = patch.inbound ?? before.inbound;
  if (before.role === 'admin' && role !== 'admin') {
    const [row] = await tx
      .select({ count: sql<number>`count(*)` })
      .from(users)
      .where(
        and(
          eq(users.organizationId, organizationId),
          eq(users.role, 'admin'),
          isNull(users.removedAt)
        )
      );
    if (Number(row?.count ?? 0) <= 1) {
      throw new DomainError(
        'last_admin',
        'The organization needs at least one admin. Make someone else an admin first.'
      );
    }
  }
  if (role === before.role && outbound === before.outbound && inbound === before.inbound) {
    return { member: before, spread: false };
  }
  const [updated] = await tx
    .update(users)
    .set({
      role,
      outboundOverride: fromOverride(outbound),
      inboundOverride: fromOverride(inbound)
    })
    .where(eq(users.id, userId))
    .returning();
  if (!updated) throw new Error(`user ${userId} vanished in its transaction`);
  const event = {
    organizationId,
    actor: admin.actor,
    targetUserId: user.id,
    target: user.name,
    at: now
  };
  if (role !== before.role) {
    await recordAudit(tx, {
      ...event,
      type: 'member.role_changed',
      details: { from: before.role, to: role }
    });
  }
  for (const [setting, from, to] of [
    ['outbound', before.outbound, outbound],
    ['inbound', before.inbound, inbound]
  ] as const) {
    if (from === to) continue;
    await recordAudit(tx, {
      ...event,
      type: 'member.policy_changed',
      details: { setting, from, to }
    });
  }
  const switched = outbound !== before.outbound || inbound !== before.inbound;
  if (switched) await queueSwitchEffects(tx, { organizationId, memberId: user.id }, now);
  return { member: toMember(updated), spread: switched };
}

/**
 * Removes a member, in the caller's transaction (which holds the organization's lock): every
 * session ends, the requests and invitations they sent and nobody accepted are revoked (their
 * recipients leave those chats), they leave every chat, and their address no longer signs in.
 * The account row stays, marked removed, so that history and the audit log still name them.
 * Returns the notices to announce after commit; the caller also ends their sockets.
 */
export async function removeMember(
  tx: Db,
  admin: Admin,
  userId: string,
  now: Date
): Promise<{ notices: ChangeNotice[] }> {
  const { users, chatMembers: m, messageRequests: r } = tables;
  const organizationId = admin.organization.id;
  const user = await memberOf(tx, organizationId, userId);
  if (user.id === admin.actor.id) {
    throw new DomainError(
      'cannot_remove_self',
      'You cannot remove yourself. Ask another admin to do it.'
    );
  }
  await tx.update(users).set({ removedAt: now, role: 'member' }).where(eq(users.id, user.id));
  await revokeAllSessions(tx, user.id);

  const revoked = await tx
    .update(r)
    .set({ tokenHash: null, revokedAt: now })
    .where(and(eq(r.senderId, user.id), eq(r.status, 'pending'), isNull(r.revokedAt)))
    .returning({ chatId: r.chatId, recipientId: r.recipientId });
  const recipientChats = revoked.filter((row) => row.recipientId !== null).map((row) => row.chatId);
  const recipientsLeft =
    recipientChats.length === 0
      ? []
      : await tx
          .update(m)
          .set({ leftAt: now })
          .where(
            and(inArray(m.chatId, recipientChats), isNull(m.leftAt), sql`${m.userId} <> ${user.id}`)
          )
          .returning({ chatId: m.chatId, userId: m.userId });

  const left = await tx
    .update(m)
    .set({ leftAt: now })
    .where(and(eq(m.userId, user.id), isNull(m.leftAt)))
    .returning({ chatId: m.chatId });

  const alsoTell = new Map<string, string[]>();
  for (const { chatId, userId: recipient } of recipientsLeft) {
    alsoTell.set(chatId, [...(alsoTell.get(chatId) ?? []), recipient]);
  }
  const chatIds = [...new Set([...left.map((row) => row.chatId), ...alsoTell.keys()])].sort();
  const changes = [];
  for (const chatId of chatIds) {
    changes.push(...(await chatChanges(tx, chatId, alsoTell.get(chatId) ?? [])));
  }

  await recordAudit(tx, {
    organizationId,
    type: 'member.removed',
    actor: admin.actor,
    targetUserId: user.id,
    target: user.name,
    details: { chatsLeft: left.length, invitationsRevoked: revoked.length },
    at: now
  });
  return { notices: await recordChanges(tx, changes, now) };
}
