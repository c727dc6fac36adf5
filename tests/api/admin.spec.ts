import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addAdminOrganization,
  addChat,
  addPendingRequest,
  adminSnapshot,
  userByEmail
} from '../support/admin.ts';
import { addPersonalUser, startExternal } from '../support/external.ts';
import { signedIn, signedInAdmin } from '../support/builders.ts';
import { deviceFor } from '../support/sync.ts';
import { ORIGIN, startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { organizationFor } from '../../server/domain/external/policy.ts';
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

/** The CSV export as the browser downloads it (not JSON). */
const csvOf = async (url: string) =>
  t.app.request(`${ORIGIN}${url}`, { headers: { cookie: alice.sessionCookie ?? '' } });

type AuditEvent = {
  id: string;
  type: string;
  actor: { id: string | null; name: string } | null;
  target: string | null;
  targetUserId: string | null;
  details: Record<string, unknown> | null;
};
type Body = Record<string, any> | null;
const eventsOf = (body: Body) => body?.events as AuditEvent[];
const typesOf = (body: Body) => eventsOf(body).map((e) => e.type);
const namesOf = (body: Body) => (body?.members as { name: string }[]).map((m) => m.name);
const addressesOf = (body: Body) => body?.addresses as { address: string; name: string | null }[];

const auditEvents = async () => eventsOf((await alice.get(`${base}/audit?limit=200`)).body);

describe('admin settings', () => {
  it('shows the organization with default settings and no changes yet', async () => {
    const answer = await alice.get(`${base}/settings`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      organization: { id: contoso, name: 'Contoso', domains: ['contoso.test'] },
      settings: {
        outboundExternal: true,
        inboundExternal: true,
        requestCap: 10,
        smsCountries: expect.arrayContaining(['FR', 'US', 'GB']),
        invitationLimits: { perSenderHour: 20, perOrganizationDay: 500 },
        notificationPreviews: true
      },
      changes: {},
      smsCountriesAllowed: expect.arrayContaining(['FR', 'US', 'GB'])
    });
  });

  it('saves a change, says who made it and when, and audits each changed setting once', async () => {
    const saved = await alice.patch(`${base}/settings`, {
      outboundExternal: false,
      requestCap: 3,
      smsCountries: ['fr', 'DE', 'FR'],
      invitationLimits: { perSenderHour: 5 },
      inboundExternal: true
    });
    expect(saved.status).toBe(200);
    expect(saved.body?.settings).toEqual({
      outboundExternal: false,
      inboundExternal: true,
      requestCap: 3,
      smsCountries: ['FR', 'DE'],
      invitationLimits: { perSenderHour: 5, perOrganizationDay: 500 },
      notificationPreviews: true
    });
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const change = { by: { id: aliceId, name: 'Alice Martin' }, at: '2026-06-01T09:00:00.000Z' };
    expect(saved.body?.changes).toEqual({
      outboundExternal: change,
      requestCap: change,
      smsCountries: change,
      invitationLimits: change
    });
    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target, e.details]).sort()).toEqual(
      [
        ['settings.changed', 'invitationLimits', { from: null, to: '{"perSenderHour":5}' }],
        ['settings.changed', 'outboundExternal', { from: true, to: false }],
        ['settings.changed', 'requestCap', { from: 10, to: 3 }],
        ['settings.changed', 'smsCountries', { from: null, to: 'FR,DE' }]
      ].sort()
    );
    expect(events[0]?.actor).toEqual({ id: aliceId, name: 'Alice Martin' });

    // The same values again change nothing and record nothing.
    t.clock.advance(60_000);
    const again = await alice.patch(`${base}/settings`, {
      outboundExternal: false,
      requestCap: 3,
      smsCountries: ['FR', 'DE']
    });
    expect(again.body?.changes.requestCap).toEqual(change);
    expect(await auditEvents()).toHaveLength(4);
  });

  it('offers and shows only the countries the server texts (SMS_COUNTRIES)', async () => {
    await t.close();
    t = await startTestApp({ smsCountries: ['FR', 'DE', 'BE'] });
    ({ admin: alice, base } = await signedInAdmin(t));
    const view = await alice.get(`${base}/settings`);
    expect(view.body).toMatchObject({
      settings: { smsCountries: ['FR', 'DE', 'BE'] },
      smsCountriesAllowed: ['FR', 'DE', 'BE']
    });
    const outside = await alice.patch(`${base}/settings`, { smsCountries: ['FR', 'US'] });
    expect(outside.status).toBe(400);
    expect(outside.body?.error).toMatchObject({
      code: 'country_not_allowed',
      details: { country: 'US' }
    });
    expect(
      (await alice.patch(`${base}/settings`, { smsCountries: ['BE'] })).body?.settings
    ).toMatchObject({ smsCountries: ['BE'] });
  });

  it('refuses invalid values with a code and changes nothing', async () => {
    const before = await adminSnapshot(t);
    for (const requestCap of [0, 11, 2.5, -1]) {
      const answer = await alice.patch(`${base}/settings`, { requestCap, outboundExternal: false });
      expect(answer.status).toBe(400);
      expect(answer.body?.error.code).toBe('invalid_request_cap');
    }
    const country = await alice.patch(`${base}/settings`, { smsCountries: ['FR', 'XX'] });
    expect(country.status).toBe(400);
    expect(country.body?.error).toMatchObject({
      code: 'invalid_country',
      details: { country: 'XX' }
    });
    for (const invitationLimits of [
      { perSenderHour: 0 },
      { perSenderHour: 21 },
      { perOrganizationDay: 501 },
      { perOrganizationDay: 1.5 }
    ]) {
      const answer = await alice.patch(`${base}/settings`, { invitationLimits });
      expect(answer.status).toBe(400);
      expect(answer.body?.error.code).toBe('invalid_limit');
    }
    const unknown = await alice.patch(`${base}/settings`, { requestCap: '5' });
    expect(unknown.status).toBe(400);
    expect(unknown.body?.error.code).toBe('invalid_request');
    expect(await adminSnapshot(t)).toEqual(before);
  });

  it('is read from the database on every request: the next read of an open session sees a change', async () => {
    const bruno = await userByEmail(t, 'bruno@contoso.test');
    expect((await alice.get(`${base}/settings`)).body?.settings.outboundExternal).toBe(true);
    expect((await organizationFor(t.store.db, bruno.id))?.outboundExternal).toBe(true);
    expect((await alice.patch(`${base}/settings`, { outboundExternal: false })).status).toBe(200);
    expect((await alice.get(`${base}/settings`)).body?.settings.outboundExternal).toBe(false);
    // What the rules read for a member in their next transaction.
    expect((await organizationFor(t.store.db, bruno.id))?.outboundExternal).toBe(false);
  });

  it('previews what turning outbound or inbound off would do, without saving', async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const bruno = await userByEmail(t, 'bruno@contoso.test');
    const chloe = await userByEmail(t, 'chloe@contoso.test');
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    const zoe = await addPersonalUser(t, { name: 'Zoé', email: 'zoe@example.org' });
    await addChat(t, [aliceId, sam], { kind: 'direct' }); // external: counts
    await addChat(t, [aliceId, bruno.id, zoe]); // external group: counts once
    await addChat(t, [aliceId, bruno.id]); // internal: never
    await addChat(t, [sam, zoe]); // nobody of ours
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ outboundOverride: sql`true` })
        .where(eq(tables.users.id, chloe.id))
    );
    await addChat(t, [chloe.id, zoe]); // chloe keeps outbound on: not affected
    await addPendingRequest(t, sam, bruno.id, 'bruno@contoso.test'); // hidden
    await addPendingRequest(t, zoe, aliceId, 'alice@contoso.test'); // hidden
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ inboundOverride: sql`true` })
        .where(eq(tables.users.id, chloe.id))
    );
    await addPendingRequest(t, sam, chloe.id, 'chloe@contoso.test'); // chloe keeps inbound on
    const before = await adminSnapshot(t);

    const outbound = await alice.post(`${base}/settings/preview`, { outboundExternal: false });
    expect(outbound.status).toBe(200);
    // Two chats above, plus the two request chats (Sam and Zoé with members who follow the default).
    expect(outbound.body).toEqual({ effects: { readOnlyChats: 4, hiddenRequests: 0 } });
    const inbound = await alice.post(`${base}/settings/preview`, { inboundExternal: false });
    expect(inbound.body).toEqual({ effects: { readOnlyChats: 0, hiddenRequests: 2 } });
    const nothing = await alice.post(`${base}/settings/preview`, { requestCap: 5 });
    expect(nothing.body).toEqual({ effects: { readOnlyChats: 0, hiddenRequests: 0 } });
    const invalid = await alice.post(`${base}/settings/preview`, { requestCap: 50 });
    expect(invalid.body?.error.code).toBe('invalid_request_cap');
    expect(await adminSnapshot(t)).toEqual(before);
  });
});

describe('admin access', () => {
  const calls = (base: string, userId: string) =>
    [
      ['GET', `${base}/settings`],
      ['PATCH', `${base}/settings`, { outboundExternal: false }],
      ['POST', `${base}/settings/preview`, { inboundExternal: false }],
      ['GET', `${base}/members?q=a`],
      ['PATCH', `${base}/members/${userId}`, { role: 'member' }],
      ['GET', `${base}/blocked`],
      ['POST', `${base}/blocked/domains`, { domain: 'spam.example' }],
      ['DELETE', `${base}/blocked/domains/spam.example`, {}],
      ['POST', `${base}/blocked/addresses`, { address: 'sam@example.org' }],
      ['POST', `${base}/blocked/addresses/remove`, { address: 'sam@example.org' }],
      ['GET', `${base}/audit`],
      ['GET', `${base}/audit.csv`],
      ['DELETE', `${base}/members/${userId}`, {}]
    ] as [string, string, unknown?][];

  it('answers a member who is not an admin 403 admin_only on every endpoint', async () => {
    const bruno = await signedIn(t, 'bruno@contoso.test');
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const before = await adminSnapshot(t);
    for (const [method, url, body] of calls(base, aliceId)) {
      const answer = await bruno.request(method, url, body);
      expect([method, url, answer.status, answer.body?.error.code]).toEqual([
        method,
        url,
        403,
        'admin_only'
      ]);
    }
    expect(await adminSnapshot(t)).toEqual(before);
  });

  it("answers another organization's admin 404 organization_not_found and changes nothing", async () => {
    await addAdminOrganization(t, {
      name: 'Fabrikam',
      domain: 'fabrikam.test',
      admin: { name: 'Frank', email: 'frank@fabrikam.test' }
    });
    const frank = await signedIn(t, 'frank@fabrikam.test');
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const before = await adminSnapshot(t);
    for (const [method, url, body] of calls(base, aliceId)) {
      const answer = await frank.request(method, url, body);
      expect([method, url, answer.status, answer.body?.error.code]).toEqual([
        method,
        url,
        404,
        'organization_not_found'
      ]);
    }
    // Even a malformed value is not looked at.
    const invalid = await frank.patch(`${base}/settings`, { requestCap: 99 });
    expect(invalid.body?.error.code).toBe('organization_not_found');
    expect(await adminSnapshot(t)).toEqual(before);
  });

  it('answers personal accounts 404 and signed-out requests 401', async () => {
    const sam = t.browser();
    await sam.signIn(t, 'sam@example.org', 'Sam');
    expect((await sam.get(`${base}/settings`)).status).toBe(404);
    expect((await t.browser().get(`${base}/settings`)).status).toBe(401);
  });

  it('stops answering an admin as soon as they are no longer one', async () => {
    const bruno = await signedIn(t, 'bruno@contoso.test');
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    expect((await alice.patch(`${base}/members/${brunoId}`, { role: 'admin' })).status).toBe(200);
    expect((await bruno.get(`${base}/settings`)).status).toBe(200);
    expect((await bruno.patch(`${base}/members/${brunoId}`, { role: 'member' })).status).toBe(200);
    expect((await bruno.get(`${base}/settings`)).status).toBe(403);
  });
});

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

describe('admin block lists', () => {
  it('blocks domains in their IDNA form, refuses bad and own domains, and audits changes', async () => {
    const added = await alice.post(`${base}/blocked/domains`, { domain: '@Exämple.ORG ' });
    expect(added.status).toBe(200);
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    expect(added.body?.domains).toEqual([
      {
        domain: 'xn--exmple-cua.org',
        by: { id: aliceId, name: 'Alice Martin' },
        at: '2026-06-01T09:00:00.000Z'
      }
    ]);
    // Again: nothing new.
    await alice.post(`${base}/blocked/domains`, { domain: 'xn--exmple-cua.org' });
    for (const [domain, code] of [
      ['not a domain', 'invalid_domain'],
      ['localhost', 'invalid_domain'],
      ['a@b.org', 'invalid_domain'],
      ['', 'invalid_domain'],
      ['CONTOSO.test', 'own_domain']
    ]) {
      const answer = await alice.post(`${base}/blocked/domains`, { domain });
      expect([domain, answer.status, answer.body?.error.code]).toEqual([domain, 400, code]);
    }
    const removed = await alice.request(
      'DELETE',
      `${base}/blocked/domains/${encodeURIComponent('exämple.org')}`,
      {}
    );
    expect(removed.status).toBe(200);
    expect(removed.body?.domains).toEqual([]);
    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target])).toEqual([
      ['blocked.domain_removed', 'xn--exmple-cua.org'],
      ['blocked.domain_added', 'xn--exmple-cua.org']
    ]);
  });

  it("blocks a person by address: they leave the organization's chats, and devices are told", async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'Sam@example.org' });
    const zoe = await addPersonalUser(t, { name: 'Zoé', phone: '+33612345678' });
    const withUs = await addChat(t, [aliceId, brunoId, sam, zoe]);
    const withoutUs = await addChat(t, [sam, zoe]);

    const blocked = await alice.post(`${base}/blocked/addresses`, { address: 'sam@EXAMPLE.org' });
    expect(blocked.status).toBe(200);
    expect(blocked.body?.addresses).toEqual([
      {
        address: 'sam@example.org',
        name: 'Sam',
        by: { id: aliceId, name: 'Alice Martin' },
        at: '2026-06-01T09:00:00.000Z'
      }
    ]);
    const [row] = await t.store.db.select().from(tables.blockedAddresses);
    expect(row).toMatchObject({ addressKey: 'sam@example.org', userId: sam, createdBy: aliceId });

    const memberships = await t.store.db
      .select()
      .from(tables.chatMembers)
      .where(eq(tables.chatMembers.userId, sam));
    const leftAt = (chatId: string) => memberships.find((m) => m.chatId === chatId)?.leftAt;
    expect(leftAt(withUs)).toEqual(t.clock.now());
    expect(leftAt(withoutUs)).toBeNull();
    // Sam and the members who stay get a `chat` change for the chat Sam left.
    const told = await t.store.db
      .select({ userId: tables.userChanges.userId, payload: tables.userChanges.payload })
      .from(tables.userChanges)
      .where(eq(tables.userChanges.chatId, withUs));
    expect(told.map((c) => c.userId).sort()).toEqual([aliceId, brunoId, sam, zoe].sort());
    const samView = told.find((c) => c.userId === sam)?.payload as { active: boolean };
    expect(samView.active).toBe(false);

    // A national number is read with the organization's region (FR).
    const phone = await alice.post(`${base}/blocked/addresses`, { address: '06 12 34 56 78' });
    expect(addressesOf(phone.body).map((a) => [a.address, a.name])).toEqual([
      ['+33612345678', 'Zoé'],
      ['sam@example.org', 'Sam']
    ]);
    // Someone without an account can be blocked too.
    const nobody = await alice.post(`${base}/blocked/addresses`, { address: 'ghost@example.net' });
    expect(nobody.body?.addresses).toHaveLength(3);

    const removed = await alice.post(`${base}/blocked/addresses/remove`, {
      address: 'SAM@example.org'
    });
    expect(addressesOf(removed.body).map((a) => a.address)).toEqual([
      '+33612345678',
      'ghost@example.net'
    ]);
    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target, e.targetUserId])).toEqual([
      ['blocked.address_removed', 'sam@example.org', sam],
      ['blocked.address_added', 'ghost@example.net', null],
      ['blocked.address_added', '+33612345678', zoe],
      ['blocked.address_added', 'sam@example.org', sam]
    ]);
  });

  it('refuses invalid addresses, own domains and own members', async () => {
    const before = await adminSnapshot(t);
    for (const [address, code] of [
      ['not an address', 'invalid_address'],
      ['0899 123 456', 'invalid_address'],
      ['', 'invalid_address'],
      ['bruno@contoso.test', 'own_domain']
    ]) {
      const answer = await alice.post(`${base}/blocked/addresses`, { address });
      expect([address, answer.status, answer.body?.error.code]).toEqual([address, 400, code]);
    }
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ phone: '+33612345678' })
        .where(eq(tables.users.email, 'bruno@contoso.test'))
    );
    const member = await alice.post(`${base}/blocked/addresses`, { address: '+33612345678' });
    expect(member.body?.error.code).toBe('own_member');
    expect(await adminSnapshot(t)).toEqual({
      ...before,
      users: expect.any(Array)
    });
  });
});

describe('admin audit log', () => {
  async function someHistory() {
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    await alice.patch(`${base}/settings`, { requestCap: 5 });
    t.clock.advance(24 * 3600 * 1000); // 2026-06-02
    await alice.patch(`${base}/members/${brunoId}`, { role: 'admin' });
    t.clock.advance(24 * 3600 * 1000); // 2026-06-03
    await alice.post(`${base}/blocked/domains`, { domain: 'spam.example' });
    await alice.patch(`${base}/members/${brunoId}`, { outbound: 'off' });
    return brunoId;
  }

  it('lists events newest first, filtered by type, person and dates, in pages', async () => {
    const brunoId = await someHistory();
    const all = await auditEvents();
    expect(all.map((e) => e.type)).toEqual([
      'member.policy_changed',
      'blocked.domain_added',
      'member.role_changed',
      'settings.changed'
    ]);
    const types = typesOf((await alice.get(`${base}/audit?type=member.role_changed`)).body);
    expect(types).toEqual(['member.role_changed']);
    const bruno = typesOf((await alice.get(`${base}/audit?person=${brunoId}`)).body);
    expect(bruno).toEqual(['member.policy_changed', 'member.role_changed']);
    const day = typesOf((await alice.get(`${base}/audit?from=2026-06-02&to=2026-06-02`)).body);
    expect(day).toEqual(['member.role_changed']);
    const since = (await alice.get(`${base}/audit?from=2026-06-02T12:00:00Z`)).body?.events;
    expect(since).toHaveLength(2);

    const first = await alice.get(`${base}/audit?limit=3`);
    expect(first.body?.hasMore).toBe(true);
    expect(first.body?.events).toEqual(all.slice(0, 3));
    const next = await alice.get(`${base}/audit?limit=3&before=${first.body?.events[2].id}`);
    expect(next.body).toEqual({ events: all.slice(3), hasMore: false });

    for (const query of ['type=nope', 'limit=0', 'limit=201', 'from=yesterday', 'to=2026-13-45']) {
      const answer = await alice.get(`${base}/audit?${query}`);
      expect([query, answer.status]).toEqual([query, 400]);
    }
    expect((await alice.get(`${base}/audit?before=unknown`)).body?.error.code).toBe(
      'invalid_cursor'
    );
  });

  it('exports CSV with RFC 4180 quoting and spreadsheet formulas neutralised', async () => {
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ name: '=HYPERLINK("http://evil.example","Bob, the admin")' })
        .where(eq(tables.users.email, 'alice@contoso.test'))
    );
    await alice.post(`${base}/blocked/addresses`, { address: '+33612345678' });
    await alice.post(`${base}/blocked/domains`, { domain: 'spam.example' });
    const answer = await csvOf(`${base}/audit.csv`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-/);
    const csv = await answer.text();
    expect(csv.split('\r\n')).toEqual([
      'time,type,actor,target,details',
      `2026-06-01T09:00:00.000Z,blocked.domain_added,"'=HYPERLINK(""http://evil.example"",""Bob, the admin"")",spam.example,`,
      `2026-06-01T09:00:00.000Z,blocked.address_added,"'=HYPERLINK(""http://evil.example"",""Bob, the admin"")",'+33612345678,`,
      ''
    ]);
  });

  it('never records message contents', async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    const secret = 'the-launch-code-is-0000';
    await addChat(t, [sam, aliceId], { body: secret });
    await alice.post(`${base}/blocked/addresses`, { address: 'sam@example.org' });
    await alice.patch(`${base}/settings`, { outboundExternal: false });
    const list = await alice.get(`${base}/audit`);
    expect(list.body?.events).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const csv = await (await csvOf(`${base}/audit.csv`)).text();
    expect(csv.split('\r\n')).toHaveLength(4);
    expect(csv).not.toContain(secret);
  });
});
