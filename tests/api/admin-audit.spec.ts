// The admin's audit log: its pages, its filters and its CSV export.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addChat, auditLog, typesOf, userByEmail } from '../support/admin.ts';
import { addPersonalUser } from '../support/external.ts';
import { signedInAdmin } from '../support/builders.ts';
import { ORIGIN, startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: Browser;
let base: string;

beforeEach(async () => {
  t = await startTestApp();
  ({ admin: alice, base } = await signedInAdmin(t));
});
afterEach(async () => {
  await t.close();
});

const auditEvents = () => auditLog(alice, base);
/** The CSV export as the browser downloads it (not JSON). */
const csvOf = async (url: string) =>
  t.app.request(`${ORIGIN}${url}`, { headers: { cookie: alice.sessionCookie ?? '' } });

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
