// The admin's member list and removing a member: what leaves with them, what stays, what the log records.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addAdminOrganization,
  addChat,
  addPendingRequest,
  adminSnapshot,
  auditLog,
  namesOf,
  typesOf,
  userByEmail
} from '../support/admin.ts';
import { addPersonalUser, startExternal } from '../support/external.ts';
import { signedIn, signedInAdmin } from '../support/builders.ts';
import { deviceFor } from '../support/sync.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: Browser;
let contoso: string;
let base: string;

beforeEach(async () => {
  t = await startTestApp();
  ({ admin: alice, organizationId: contoso, base } = await signedInAdmin(t));
});
afterEach(async () => {
  await t.close();
});

const auditEvents = () => auditLog(alice, base);

describe('admin members', () => {
  it('searches by name, email or phone, admins first, at most 50', async () => {
    const all = await alice.get(`${base}/members`);
    expect(namesOf(all.body)).toEqual(['Alice Martin', 'Bruno Petit', 'Chloé Durand']);
    expect(all.body?.members[1]).toEqual({
      id: expect.any(String),
      name: 'Bruno Petit',
      email: 'bruno@contoso.test',
      phone: null,
      role: 'member',
      outbound: 'default',
      inbound: 'default'
    });
    const chloe = await alice.get(`${base}/members?q=${encodeURIComponent('CHLOE@')}`);
    expect(namesOf(chloe.body)).toEqual(['Chloé Durand']);
    await t.store.tx((tx) =>
      tx.insert(tables.users).values(
        Array.from({ length: 60 }, (_, i) => ({
          id: `member-${i}`,
          organizationId: contoso,
          role: 'member' as const,
          name: `Aaron ${String(i).padStart(2, '0')}`,
          phone: `+336123456${String(i).padStart(2, '0')}`,
          createdAt: t.clock.now()
        }))
      )
    );
    const many = await alice.get(`${base}/members`);
    expect(many.body?.members).toHaveLength(50);
    expect(many.body?.members[0].name).toBe('Alice Martin');
    expect(many.body?.members[1].name).toBe('Aaron 00');
    const byPhone = await alice.get(`${base}/members?q=${encodeURIComponent('+33612345642')}`);
    expect(namesOf(byPhone.body)).toEqual(['Aaron 42']);
  });

  it("changes a member's role and overrides, auditing each changed field", async () => {
    const bruno = await userByEmail(t, 'bruno@contoso.test');
    const changed = await alice.patch(`${base}/members/${bruno.id}`, {
      role: 'admin',
      outbound: 'off',
      inbound: 'default'
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ role: 'admin', outbound: 'off', inbound: 'default' });
    const row = await userByEmail(t, 'bruno@contoso.test');
    // SQLite reads booleans back as 0 and 1.
    const stored = (value: unknown) => (value === null ? null : Boolean(value));
    expect([row.role, stored(row.outboundOverride), stored(row.inboundOverride)]).toEqual([
      'admin',
      false,
      null
    ]);
    await alice.patch(`${base}/members/${bruno.id}`, { inbound: 'on', outbound: 'off' });
    expect(stored((await userByEmail(t, 'bruno@contoso.test')).inboundOverride)).toBe(true);

    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target, e.targetUserId, e.details])).toEqual(
      expect.arrayContaining([
        ['member.role_changed', 'Bruno Petit', bruno.id, { from: 'member', to: 'admin' }],
        [
          'member.policy_changed',
          'Bruno Petit',
          bruno.id,
          { setting: 'outbound', from: 'default', to: 'off' }
        ],
        [
          'member.policy_changed',
          'Bruno Petit',
          bruno.id,
          { setting: 'inbound', from: 'default', to: 'on' }
        ]
      ])
    );
    expect(events).toHaveLength(3);
  });

  it('keeps the last admin: removing oneself is refused with 409 last_admin', async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const before = await adminSnapshot(t);
    const refused = await alice.patch(`${base}/members/${aliceId}`, { role: 'member' });
    expect(refused.status).toBe(409);
    expect(refused.body?.error.code).toBe('last_admin');
    expect(await adminSnapshot(t)).toEqual(before);
    // With a second admin, stepping down is fine.
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    await alice.patch(`${base}/members/${brunoId}`, { role: 'admin' });
    expect((await alice.patch(`${base}/members/${aliceId}`, { role: 'member' })).status).toBe(200);
  });

  it('answers 404 member_not_found for someone outside the organization', async () => {
    const { adminId } = await addAdminOrganization(t, {
      name: 'Fabrikam',
      domain: 'fabrikam.test',
      admin: { name: 'Frank', email: 'frank@fabrikam.test' }
    });
    const before = await adminSnapshot(t);
    for (const id of [adminId, 'nobody']) {
      const answer = await alice.patch(`${base}/members/${id}`, { outbound: 'off' });
      expect(answer.status).toBe(404);
      expect(answer.body?.error.code).toBe('member_not_found');
    }
    expect(await adminSnapshot(t)).toEqual(before);
  });
});

describe('removing a member', () => {
  const refused = (code: string) => ({ status: 'rejected', code });

  it('ends their sessions, revokes what they sent, takes them out of every chat, and audits it', async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const chloe = await deviceFor(t, 'chloe@contoso.test');
    const sam = await addPersonalUser(t, { name: 'Sam Lee', email: 'sam.lee@example.org' });
    const group = await addChat(t, [aliceId, bruno.userId, chloe.userId], { body: 'hi' });
    const toSam = await startExternal(bruno, 'sam.lee@example.org');
    const invitation = await startExternal(bruno, 'nobody@example.net');
    const fromSam = await addPendingRequest(t, sam, bruno.userId, 'bruno@contoso.test');
    expect([toSam.result.status, invitation.result.status]).toEqual(['applied', 'applied']);

    const removed = await alice.request('DELETE', `${base}/members/${bruno.userId}`, {});
    expect(removed.status).toBe(204);

    // Effective on the very next request of an open session.
    expect((await bruno.browser.get('/api/me')).status).toBe(401);
    expect((await bruno.push([])).status).toBe(401);
    const sessions = await t.store.db
      .select()
      .from(tables.sessions)
      .where(eq(tables.sessions.userId, bruno.userId));
    expect(sessions).toEqual([]);

    // Out of every chat; Sam leaves the request Bruno sent; both invitations are dead.
    const memberships = await t.store.db.select().from(tables.chatMembers);
    const leftAt = (chatId: string, userId: string) =>
      memberships.find((m) => m.chatId === chatId && m.userId === userId)?.leftAt;
    for (const chatId of [group, toSam.chatId, invitation.chatId, fromSam]) {
      expect(leftAt(chatId, bruno.userId)).toEqual(t.clock.now());
    }
    expect(leftAt(toSam.chatId, sam)).toEqual(t.clock.now());
    expect(leftAt(group, chloe.userId)).toBeNull();
    const requests = await t.store.db
      .select()
      .from(tables.messageRequests)
      .where(eq(tables.messageRequests.senderId, bruno.userId));
    expect(requests.map((r) => [r.revokedAt, r.tokenHash])).toEqual([
      [t.clock.now(), null],
      [t.clock.now(), null]
    ]);
    // Colleagues are told Bruno left the group.
    const groupView = (await chloe.pullAll()).filter(
      (c) => c.type === 'chat' && c.chat.id === group
    );
    const last = groupView.at(-1);
    const stay = last?.type === 'chat' ? last.chat.members.map((m) => m.userId) : [];
    expect(stay.sort()).toEqual([aliceId, chloe.userId].sort());

    // Nobody reaches him any more: not the directory, not a new chat, not his address.
    expect((await alice.get(`${base}/members?q=bruno`)).body?.members).toEqual([]);
    expect((await chloe.browser.get('/api/directory?q=bruno')).body?.people).toEqual([]);
    const direct = await chloe.do('chat.createDirect', {
      chatId: crypto.randomUUID(),
      userId: bruno.userId
    });
    expect(direct).toMatchObject(refused('user_not_found'));
    expect((await startExternal(chloe, 'bruno@contoso.test')).result).toMatchObject(
      refused('user_not_found')
    );

    // His address no longer signs in (the code goes to him; the answer says why).
    const browser = t.browser();
    expect((await browser.post('/api/auth/code', { address: 'bruno@contoso.test' })).status).toBe(
      202
    );
    const code = await t.lastCode('bruno@contoso.test');
    const verified = await browser.post('/api/auth/verify', {
      address: 'bruno@contoso.test',
      code,
      name: 'Bruno Again'
    });
    expect([verified.status, verified.body?.error.code]).toEqual([403, 'account_removed']);
    expect(browser.sessionCookie).toBeNull();

    const [event] = await auditEvents();
    expect(event).toMatchObject({
      type: 'member.removed',
      actor: { id: aliceId, name: 'Alice Martin' },
      target: 'Bruno Petit',
      targetUserId: bruno.userId,
      details: { chatsLeft: 4, invitationsRevoked: 2 }
    });
  });

  it('gives a request to a removed member nowhere to go, and says nothing of it', async () => {
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    expect((await alice.request('DELETE', `${base}/members/${brunoId}`, {})).status).toBe(204);
    await addPersonalUser(t, { name: 'Sam Lee', email: 'sam.lee@example.org' });
    const sam = await deviceFor(t, 'sam.lee@example.org');
    await t.services.notifier.idle();
    const mailBefore = t.email.sent.length;
    const started = await startExternal(sam, 'bruno@contoso.test');
    expect(started.result.status).toBe('applied');
    const [request] = await t.store.db
      .select()
      .from(tables.messageRequests)
      .where(eq(tables.messageRequests.chatId, started.chatId));
    expect(request).toMatchObject({ recipientId: null, suppressed: true });
    await t.services.notifier.idle();
    expect(t.email.sent.length).toBe(mailBefore);
  });

  it('refuses to remove oneself (409), and answers 404 for anyone who is not a member', async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    const self = await alice.request('DELETE', `${base}/members/${aliceId}`, {});
    expect([self.status, self.body?.error.code]).toEqual([409, 'cannot_remove_self']);
    for (const userId of [sam, 'no-such-user']) {
      const answer = await alice.request('DELETE', `${base}/members/${userId}`, {});
      expect([answer.status, answer.body?.error.code]).toEqual([404, 'member_not_found']);
    }
    expect((await alice.request('DELETE', `${base}/members/${brunoId}`, {})).status).toBe(204);
    const again = await alice.request('DELETE', `${base}/members/${brunoId}`, {});
    expect([again.status, again.body?.error.code]).toEqual([404, 'member_not_found']);
    const patched = await alice.patch(`${base}/members/${brunoId}`, { role: 'admin' });
    expect(patched.status).toBe(404);
    expect(typesOf((await alice.get(`${base}/audit`)).body)).toEqual(['member.removed']);
  });

  it('lets an admin remove another admin, who loses the admin API at once', async () => {
    const chloe = await signedIn(t, 'chloe@contoso.test');
    const chloeId = (await userByEmail(t, 'chloe@contoso.test')).id;
    await alice.patch(`${base}/members/${chloeId}`, { role: 'admin' });
    expect((await chloe.get(`${base}/settings`)).status).toBe(200);
    expect((await alice.request('DELETE', `${base}/members/${chloeId}`, {})).status).toBe(204);
    expect((await chloe.get(`${base}/settings`)).status).toBe(401);
    // Alice is the one admin left, and is kept.
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const demoted = await alice.patch(`${base}/members/${aliceId}`, { role: 'member' });
    expect(demoted.body?.error.code).toBe('last_admin');
  });
});
