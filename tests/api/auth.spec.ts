import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('sign-in codes', () => {
  it('signs a seeded member in with the emailed code and sets a hardened session cookie', async () => {
    const browser = t.browser();
    const sent = await browser.post('/api/auth/code', { address: '  Alice@CONTOSO.test ' });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ status: 'sent', expiresInSeconds: 600 });

    // To the address the account was made with, not to the spelling typed.
    const code = await t.lastCode('alice@contoso.test');
    const verified = await browser.post('/api/auth/verify', {
      address: 'alice@contoso.test',
      code
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      status: 'signed_in',
      user: { name: 'Alice Martin', kind: 'managed', role: 'admin', region: 'FR' }
    });
    expect(verified.body?.user.organization).toMatchObject({ name: 'Contoso', region: 'FR' });
    const cookie = verified.setCookie ?? '';
    expect(cookie).toMatch(/^__Host-parley_session=[\w-]{40,};/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/i);

    const me = await browser.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body?.email).toBe('alice@contoso.test');
  });

  it('stores the code and the session token only as hashes', async () => {
    const browser = t.browser();
    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const code = await t.lastCode('alice@contoso.test');
    const [row] = await t.store.db.select().from(tables.signInCodes);
    expect(row?.codeHash).not.toContain(code);
    expect(row?.codeHash.length).toBeGreaterThan(40);

    await browser.post('/api/auth/verify', { address: 'alice@contoso.test', code });
    const token = browser.sessionCookie?.split('=')[1] ?? '';
    const sessions = await t.store.db.select().from(tables.sessions);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.tokenHash).not.toBe(token);
  });

  it('answers identically for an address with and without an account', async () => {
    const known = await t
      .browser('198.51.100.1')
      .post('/api/auth/code', { address: 'bruno@contoso.test' });
    const unknown = await t
      .browser('198.51.100.2')
      .post('/api/auth/code', { address: 'nobody@example.org' });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect([...unknown.headers.keys()].sort()).toEqual([...known.headers.keys()].sort());
  });

  it('creates a personal account on first sign-in once a name is given, keeping the code', async () => {
    const browser = t.browser();
    await browser.post('/api/auth/code', { address: 'Bob+parley@Example.ORG' });
    const code = await t.lastCode('Bob+parley@example.org');

    const first = await browser.post('/api/auth/verify', {
      address: 'bob+parley@example.org',
      code
    });
    expect(first.body).toEqual({ status: 'name_required' });
    expect(first.setCookie).toBeNull();

    const second = await browser.post('/api/auth/verify', {
      address: 'Bob+parley@EXAMPLE.org',
      code,
      name: '  Bob Lee '
    });
    expect(second.body).toMatchObject({
      status: 'signed_in',
      user: {
        name: 'Bob Lee',
        kind: 'personal',
        role: null,
        organization: null,
        email: 'Bob+parley@example.org'
      }
    });
  });

  it('makes an address on an organization domain a managed account, never a personal one', async () => {
    const user = await t.browser().signIn(t, 'dana@contoso.test', 'Dana Roux');
    expect(user).toMatchObject({ kind: 'managed', role: 'member' });
    expect(user.organization?.name).toBe('Contoso');
  });

  it('signs up by phone, reading a national number with the given region', async () => {
    const browser = t.browser();
    const sent = await browser.post('/api/auth/code', { address: '06 12 34 56 78', region: 'FR' });
    expect(sent.status).toBe(202);
    expect(t.sms.sent).toHaveLength(0); // queued, not sent inline
    const code = await t.lastCode('+33612345678');
    const verified = await browser.post('/api/auth/verify', {
      address: '+33 6 12 34 56 78',
      code,
      name: 'Zoé'
    });
    expect(verified.body?.user).toMatchObject({
      phone: '+33612345678',
      kind: 'personal',
      region: 'FR'
    });
  });

  it('refuses malformed, premium-rate and shared-cost addresses with a reason', async () => {
    const browser = t.browser();
    for (const [address, reason] of [
      ['', 'empty'],
      ['not an address', 'invalid_phone'],
      ['a@b', 'invalid_email'],
      ['08 99 23 45 67', 'premium_rate_number'],
      ['08 10 12 34 56', 'shared_cost_number']
    ] as const) {
      const response = await browser.post('/api/auth/code', { address, region: 'FR' });
      expect(response.status, address).toBe(400);
      expect(response.body?.error).toMatchObject({ code: 'invalid_address', details: { reason } });
      expect(response.body?.error.message).toEqual(expect.any(String));
    }
  });

  it('expires a code after 10 minutes', async () => {
    const browser = t.browser();
    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const code = await t.lastCode('alice@contoso.test');
    t.clock.advance(10 * 60 * 1000);
    const response = await browser.post('/api/auth/verify', {
      address: 'alice@contoso.test',
      code
    });
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe('code_expired');
  });

  it('allows 5 attempts, then needs a new code even for the right one', async () => {
    const browser = t.browser();
    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const code = await t.lastCode('alice@contoso.test');
    const wrong = code === '000000' ? '111111' : '000000';
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await browser.post('/api/auth/verify', {
        address: 'alice@contoso.test',
        code: wrong
      });
      codes.push(r.body?.error.code);
    }
    expect(codes).toEqual([
      'invalid_code',
      'invalid_code',
      'invalid_code',
      'invalid_code',
      'code_attempts_exceeded'
    ]);
    // Five wrong codes also lock the address for a minute (auth-limits.spec.ts).
    t.clock.advance(60 * 1000);
    const right = await browser.post('/api/auth/verify', { address: 'alice@contoso.test', code });
    expect(right.body?.error.code).toBe('code_attempts_exceeded');

    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const fresh = await t.lastCode('alice@contoso.test');
    const ok = await browser.post('/api/auth/verify', {
      address: 'alice@contoso.test',
      code: fresh
    });
    expect(ok.body?.status).toBe('signed_in');
  });

  it('makes an older code useless once a new one is sent, and a used code single-use', async () => {
    const browser = t.browser();
    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const old = await t.lastCode('alice@contoso.test');
    await browser.post('/api/auth/code', { address: 'alice@contoso.test' });
    const latest = await t.lastCode('alice@contoso.test');
    if (old !== latest) {
      const stale = await browser.post('/api/auth/verify', {
        address: 'alice@contoso.test',
        code: old
      });
      expect(stale.body?.error.code).toBe('invalid_code');
    }
    const used = await browser.post('/api/auth/verify', {
      address: 'alice@contoso.test',
      code: latest
    });
    expect(used.body?.status).toBe('signed_in');
    const again = await t
      .browser()
      .post('/api/auth/verify', { address: 'alice@contoso.test', code: latest });
    expect(again.body?.error.code).toBe('invalid_code');
  });

  it('rate limits code requests per address with Retry-After, and sends nothing more', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await t
        .browser(`192.0.2.${i}`)
        .post('/api/auth/code', { address: 'alice@contoso.test' });
      expect(ok.status).toBe(202);
    }
    const limited = await t
      .browser('192.0.2.99')
      .post('/api/auth/code', { address: 'alice@contoso.test' });
    expect(limited.status).toBe(429);
    expect(limited.body?.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await t.services.notifier.idle();
    expect(t.email.sent.filter((m) => m.to === 'alice@contoso.test')).toHaveLength(5);

    t.clock.advance(15 * 60 * 1000);
    const later = await t
      .browser('192.0.2.100')
      .post('/api/auth/code', { address: 'alice@contoso.test' });
    expect(later.status).toBe(202);
  });

  it('rate limits code requests per IP address', async () => {
    const browser = t.browser('198.51.100.50');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push(
        (await browser.post('/api/auth/code', { address: `person${i}@example.org` })).status
      );
    }
    expect(statuses.slice(0, 30).every((s) => s === 202)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('sessions', () => {
  it('rotates the session at sign-in: the previous token stops working', async () => {
    const browser = t.browser();
    await browser.signIn(t, 'alice@contoso.test');
    const before = browser.sessionCookie;
    await browser.signIn(t, 'alice@contoso.test');
    expect(browser.sessionCookie).not.toBe(before);
    const stale = await t.app.request('http://localhost:3000/api/me', {
      headers: { cookie: before ?? '' }
    });
    expect(stale.status).toBe(401);
  });

  it('signs out this device only', async () => {
    const phone = t.browser();
    const laptop = t.browser();
    await phone.signIn(t, 'alice@contoso.test');
    await laptop.signIn(t, 'alice@contoso.test');
    const out = await phone.post('/api/auth/sign-out');
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/__Host-parley_session=;/);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);
  });

  it('signs out of every device', async () => {
    const phone = t.browser();
    const laptop = t.browser();
    await phone.signIn(t, 'bruno@contoso.test');
    await laptop.signIn(t, 'bruno@contoso.test');
    expect((await phone.post('/api/auth/sign-out-all')).status).toBe(204);
    expect((await laptop.get('/api/me')).status).toBe(401);
  });

  it('ends a session after 90 days without use', async () => {
    const browser = t.browser();
    await browser.signIn(t, 'alice@contoso.test');
    t.clock.advance(91 * 24 * 60 * 60 * 1000);
    expect((await browser.get('/api/me')).status).toBe(401);
  });

  it('keeps an active session alive past 90 days', async () => {
    const browser = t.browser();
    await browser.signIn(t, 'alice@contoso.test');
    for (let day = 0; day < 4; day++) {
      t.clock.advance(30 * 24 * 60 * 60 * 1000);
      expect((await browser.get('/api/me')).status).toBe(200);
    }
  });
});

describe('profile', () => {
  it('updates name and language, and refuses a region change for managed users with 403', async () => {
    const browser = t.browser();
    await browser.signIn(t, 'alice@contoso.test');
    const updated = await browser.patch('/api/me', { name: 'Alice M.', locale: 'fr' });
    expect(updated.body).toMatchObject({ name: 'Alice M.', locale: 'fr' });
    const region = await browser.patch('/api/me', { region: 'US' });
    expect(region.status).toBe(403);
    expect(region.body?.error.code).toBe('region_managed_by_organization');
  });

  it('tells the pre-acceptance cap: 10 for personal accounts, else the organization’s as it stands now', async () => {
    const sam = t.browser();
    expect((await sam.signIn(t, 'sam@example.org', 'Sam')).requestCap).toBe(10);
    expect((await sam.get('/api/me')).body?.requestCap).toBe(10);

    const alice = t.browser();
    const admin = await alice.signIn(t, 'alice@contoso.test');
    expect(admin.requestCap).toBe(10);
    const bruno = t.browser();
    await bruno.signIn(t, 'bruno@contoso.test');
    const base = `/api/admin/organizations/${admin.organization.id as string}`;
    expect((await alice.patch(`${base}/settings`, { requestCap: 3 })).status).toBe(200);
    // Every member's next read says it, without signing in again.
    expect((await bruno.get('/api/me')).body?.requestCap).toBe(3);
    expect((await alice.patch('/api/me', { name: 'Alice M.' })).body?.requestCap).toBe(3);

    // A stored value out of range is read as the cap the server enforces (1 to 10).
    await t.store.db
      .update(tables.organizations)
      .set({ requestCap: 0 })
      .where(eq(tables.organizations.id, admin.organization.id as string));
    expect((await bruno.get('/api/me')).body?.requestCap).toBe(1);
  });

  it('lets a personal user change their phone region, validating it', async () => {
    const browser = t.browser();
    await browser.signIn(t, 'sam@example.org', 'Sam');
    expect((await browser.patch('/api/me', { region: 'GB' })).body?.region).toBe('GB');
    const bad = await browser.patch('/api/me', { region: 'XX' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.code).toBe('invalid_request');
    const [row] = await t.store.db.select().from(tables.users).where(eq(tables.users.name, 'Sam'));
    expect(row?.region).toBe('GB');
  });

  it('answers 401 when signed out', async () => {
    const response = await t.browser().get('/api/me');
    expect(response.status).toBe(401);
    expect(response.body?.error.code).toBe('unauthenticated');
  });
});
