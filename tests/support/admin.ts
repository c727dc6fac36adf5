// Factories for the admin API specs: a second organization with its own admin, chats and
// requests written straight to the database, and a snapshot of everything an admin can change.
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { tables } from '../../server/store/index.ts';
import type { Browser, TestApp } from './harness.ts';

/** An organization with one verified domain and one admin; returns their ids. */
export async function addAdminOrganization(
  t: TestApp,
  org: { name: string; domain: string; admin: { name: string; email: string } }
): Promise<{ organizationId: string; adminId: string }> {
  const organizationId = randomUUID();
  const adminId = randomUUID();
  const now = t.clock.now();
  await t.store.tx(async (tx) => {
    await tx
      .insert(tables.organizations)
      .values({ id: organizationId, name: org.name, defaultRegion: 'US', createdAt: now });
    await tx
      .insert(tables.organizationDomains)
      .values({ domain: org.domain, organizationId, createdAt: now });
    await tx.insert(tables.users).values({
      id: adminId,
      organizationId,
      role: 'admin',
      name: org.admin.name,
      email: org.admin.email,
      emailKey: org.admin.email.toLowerCase(),
      createdAt: now
    });
  });
  return { organizationId, adminId };
}

/** A user of the seeded organization (or any other) by email. */
export async function userByEmail(t: TestApp, email: string) {
  const [user] = await t.store.db.select().from(tables.users).where(eq(tables.users.email, email));
  if (!user) throw new Error(`no user ${email}`);
  return user;
}

/** A chat with these current members and, optionally, one message; returns its id. */
export async function addChat(
  t: TestApp,
  members: string[],
  options: { kind?: 'direct' | 'group'; body?: string } = {}
): Promise<string> {
  const chatId = randomUUID();
  const now = t.clock.now();
  const [creator] = members;
  if (!creator) throw new Error('a chat needs members');
  await t.store.tx(async (tx) => {
    await tx.insert(tables.chats).values({
      id: chatId,
      kind: options.kind ?? 'group',
      name: options.kind === 'direct' ? null : 'Project',
      createdBy: creator,
      createdAt: now,
      lastSeq: options.body === undefined ? 0 : 1
    });
    await tx
      .insert(tables.chatMembers)
      .values(members.map((userId) => ({ chatId, userId, joinedAt: now })));
    if (options.body !== undefined) {
      await tx.insert(tables.messages).values({
        id: randomUUID(),
        chatId,
        seq: 1,
        authorId: creator,
        body: options.body,
        sentAt: now,
        createdAt: now
      });
    }
  });
  return chatId;
}

/** A pending message request from `senderId` to `recipientId` (a member of its chat). */
export async function addPendingRequest(
  t: TestApp,
  senderId: string,
  recipientId: string,
  address: string
): Promise<string> {
  const chatId = await addChat(t, [senderId, recipientId], { kind: 'direct' });
  const now = t.clock.now();
  await t.store.tx((tx) =>
    tx.insert(tables.messageRequests).values({
      chatId,
      senderId,
      recipientId,
      address,
      addressKey: address.toLowerCase(),
      channel: address.includes('@') ? 'email' : 'sms',
      status: 'pending',
      sentAt: now,
      expiresAt: new Date(now.getTime() + 14 * 24 * 3600 * 1000),
      createdAt: now
    })
  );
  return chatId;
}

/** Everything the admin API can change, to compare before and after a refused call. */
export async function adminSnapshot(t: TestApp) {
  const db = t.store.db;
  return {
    organizations: await db
      .select()
      .from(tables.organizations)
      .orderBy(asc(tables.organizations.id)),
    users: await db.select().from(tables.users).orderBy(asc(tables.users.id)),
    blockedDomains: await db.select().from(tables.blockedDomains),
    blockedAddresses: await db.select().from(tables.blockedAddresses),
    auditEvents: await db.select().from(tables.auditEvents),
    chatMembers: await db
      .select()
      .from(tables.chatMembers)
      .orderBy(asc(tables.chatMembers.chatId), asc(tables.chatMembers.userId))
  };
}

export type AuditEvent = {
  id: string;
  type: string;
  actor: { id: string | null; name: string } | null;
  target: string | null;
  targetUserId: string | null;
  details: Record<string, unknown> | null;
};
type Body = Record<string, any> | null;
export const eventsOf = (body: Body) => body?.events as AuditEvent[];
export const typesOf = (body: Body) => eventsOf(body).map((e) => e.type);
export const namesOf = (body: Body) => (body?.members as { name: string }[]).map((m) => m.name);
export const addressesOf = (body: Body) =>
  body?.addresses as { address: string; name: string | null }[];

/** The organization's audit log as `admin` reads it through `base`, the admin API. */
export const auditLog = async (admin: Browser, base: string) =>
  eventsOf((await admin.get(`${base}/audit?limit=200`)).body);
