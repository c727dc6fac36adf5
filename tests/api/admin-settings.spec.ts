// The admin's organization settings (what they show, how a change is refused or recorded) and who may reach the admin API at all.
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addAdminOrganization,
  addChat,
  addPendingRequest,
  adminSnapshot,
  auditLog,
  userByEmail
} from '../support/admin.ts';
import { addPersonalUser } from '../support/external.ts';
import { signedIn, signedInAdmin } from '../support/builders.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
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

const auditEvents = () => auditLog(alice, base);

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
