import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../common/protocol.ts';
import { signedInAdmin } from '../support/builders.ts';
import { requestRow } from '../support/external.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { INVITATION_LIFETIME_MS } from '../../common/protocol.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
beforeEach(async () => {
  t = await startTestApp();
  alice = await deviceFor(t, 'alice@contoso.test');
});
afterEach(async () => {
  await t.close();
});

const INVITED = 'Dana.Field@example.org';

/** Alice starts an external chat with an address nobody holds; returns the link's token. */
async function invite(address = INVITED): Promise<{ chatId: string; token: string }> {
  const chatId = randomUUID();
  const result = await alice.do('chat.startExternal', { chatId, address });
  expect(result).toMatchObject({ status: 'applied' });
  return { chatId, token: await lastToken(address) };
}

async function lastToken(address: string): Promise<string> {
  await t.services.notifier.idle();
  const text = [...t.email.sent, ...t.sms.sent].filter((m) => m.to === address).at(-1)?.text;
  const token = text?.match(/\/join#token=([\w-]+)/)?.[1];
  if (!token) throw new Error(`no invitation sent to ${address}`);
  return token;
}

async function signedUp(address: string, name: string): Promise<Browser> {
  const browser = t.browser();
  await browser.signIn(t, address, name);
  return browser;
}

async function chatChangesOf(browser: Browser) {
  const pulled = (await browser.get('/api/sync/pull?cursor=0')).body as PullResponse;
  return pulled.changes.filter((c) => c.type === 'chat');
}

async function membersOf(chatId: string) {
  const rows = await t.store.db
    .select()
    .from(tables.chatMembers)
    .where(eq(tables.chatMembers.chatId, chatId));
  return rows.filter((row) => row.leftAt === null).map((row) => row.userId);
}

describe('invitation links', () => {
  it('previews who invites, to which masked address, without using the link', async () => {
    const { token } = await invite();
    const preview = await t.browser().post('/api/invitations/preview', { token });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      sender: { name: 'Alice Martin', organization: 'Contoso' },
      address: 'D••••@example.org',
      channel: 'email',
      expiresAt: new Date(t.clock.now().getTime() + INVITATION_LIFETIME_MS).toISOString(),
      signedInAs: null
    });
    const again = await t.browser().post('/api/invitations/preview', { token });
    expect(again.status).toBe(200);
  });

  it('signs a new person up with the address verified, once a name is given', async () => {
    const { chatId, token } = await invite();
    const browser = t.browser('198.51.100.20');
    const nameless = await browser.post('/api/invitations/accept', { token });
    expect(nameless.status).toBe(400);
    expect(nameless.body?.error.code).toBe('name_required');
    expect(browser.sessionCookie).toBeNull();

    const joined = await browser.post('/api/invitations/accept', { token, name: ' Dana Field ' });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ chatId });
    expect(joined.setCookie).toMatch(/^__Host-parley_session=[\w-]{40,};.*HttpOnly/);
    const me = await browser.get('/api/me');
    expect(me.body).toMatchObject({
      name: 'Dana Field',
      email: 'Dana.Field@example.org',
      kind: 'personal',
      requestsAllowed: true
    });
    expect(await membersOf(chatId)).toContain(me.body?.id);
    expect(await requestRow(t, chatId)).toMatchObject({
      recipientId: me.body?.id,
      tokenHash: null,
      status: 'pending'
    });
    // Her devices find the request as the recipient.
    const chat = (await chatChangesOf(browser)).find((c) => c.chat.id === chatId);
    expect(chat?.chat.request).toMatchObject({ role: 'recipient', state: 'pending' });
  });

  it('works once: a second accept is invitation_invalid', async () => {
    const { token } = await invite();
    const first = await t.browser().post('/api/invitations/accept', { token, name: 'Dana' });
    expect(first.status).toBe(200);
    const second = await t.browser().post('/api/invitations/accept', { token, name: 'Dana' });
    expect(second.status).toBe(404);
    expect(second.body?.error.code).toBe('invitation_invalid');
  });

  it('lets only one of two simultaneous accepts win', async () => {
    const { token } = await invite();
    const answers = await Promise.all([
      t.browser('198.51.100.1').post('/api/invitations/accept', { token, name: 'Dana' }),
      t.browser('198.51.100.2').post('/api/invitations/accept', { token, name: 'Dana' })
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404]);
    const accounts = await t.store.db
      .select()
      .from(tables.users)
      .where(eq(tables.users.emailKey, 'dana.field@example.org'));
    expect(accounts).toHaveLength(1);
  });

  it('signs in the account already holding the address instead of creating one', async () => {
    const { chatId, token } = await invite();
    const dana = await signedUp(INVITED, 'Dana Field');
    const danaId = (await dana.get('/api/me')).body?.id as string;

    const browser = t.browser();
    const joined = await browser.post('/api/invitations/accept', { token });
    expect(joined.status).toBe(200);
    expect((await browser.get('/api/me')).body?.id).toBe(danaId);
    expect(await membersOf(chatId)).toContain(danaId);
  });

  it('is bound to the invited address: another account gets 403 and the link still works', async () => {
    const { chatId, token } = await invite();
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const preview = await bruno.browser.post('/api/invitations/preview', { token });
    expect(preview.body?.signedInAs).toEqual({ matches: false });
    const refused = await bruno.browser.post('/api/invitations/accept', { token });
    expect(refused.status).toBe(403);
    expect(refused.body?.error.code).toBe('invitation_address_mismatch');
    expect(await membersOf(chatId)).toEqual([alice.userId]);
    expect((await requestRow(t, chatId))?.tokenHash).not.toBeNull();

    const dana = await signedUp(INVITED, 'Dana Field');
    expect((await dana.post('/api/invitations/preview', { token })).body?.signedInAs).toEqual({
      matches: true
    });
    const joined = await dana.post('/api/invitations/accept', { token });
    expect(joined.status).toBe(200);
    expect(joined.setCookie).toBeNull();
  });

  it('does not undo a block: 403 invitation_unavailable, nothing changes', async () => {
    const { chatId, token } = await invite();
    const dana = await signedUp(INVITED, 'Dana Field');
    const danaId = (await dana.get('/api/me')).body?.id as string;
    await t.store.tx((tx) =>
      tx
        .insert(tables.userBlocks)
        .values({ blockerId: danaId, blockedId: alice.userId, createdAt: t.clock.now() })
    );
    const refused = await dana.post('/api/invitations/accept', { token });
    expect(refused.status).toBe(403);
    expect(refused.body?.error.code).toBe('invitation_unavailable');
    expect((await requestRow(t, chatId))?.tokenHash).not.toBeNull();
  });

  it('expires 14 days after it was sent', async () => {
    const { token } = await invite();
    t.clock.advance(INVITATION_LIFETIME_MS - 1);
    expect((await t.browser().post('/api/invitations/preview', { token })).status).toBe(200);
    t.clock.advance(1);
    const expired = await t.browser().post('/api/invitations/accept', { token, name: 'Dana' });
    expect(expired.status).toBe(404);
    expect(expired.body?.error.code).toBe('invitation_invalid');
  });

  it('dies when the sender revokes or resends it; the resent link works', async () => {
    const { chatId, token: first } = await invite();
    await alice.do('invitation.revoke', { chatId });
    const revoked = await t.browser().post('/api/invitations/preview', { token: first });
    expect(revoked.body?.error.code).toBe('invitation_invalid');

    await alice.do('invitation.resend', { chatId });
    const second = await lastToken(INVITED);
    expect(second).not.toBe(first);
    expect((await t.browser().post('/api/invitations/preview', { token: first })).status).toBe(404);
    const joined = await t.browser().post('/api/invitations/accept', {
      token: second,
      name: 'Dana'
    });
    expect(joined.status).toBe(200);
  });

  it('dies when the sender’s organization blocks the address or its domain', async () => {
    const { admin, base } = await signedInAdmin(t);
    const blocked = `${base}/blocked`;
    const byAddress = await invite();
    const byDomain = await invite('erin@example.net');
    await admin.post(`${blocked}/addresses`, { address: INVITED });
    await admin.post(`${blocked}/domains`, { domain: 'example.net' });
    for (const { token } of [byAddress, byDomain]) {
      const dead = await t.browser().post('/api/invitations/accept', { token, name: 'Dana' });
      expect(dead.status).toBe(404);
      expect(dead.body?.error.code).toBe('invitation_invalid');
    }
    await admin.post(`${blocked}/addresses/remove`, { address: INVITED });
    const revived = await t.browser().post('/api/invitations/preview', { token: byAddress.token });
    expect(revived.status).toBe(200);
  });

  it('answers like any dead link while the sender’s outbound chat is off, and lives again once it is on', async () => {
    const { admin, base } = await signedInAdmin(t);
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const expiring = await invite('old@example.org');
    t.clock.advance(INVITATION_LIFETIME_MS / 2);
    const byAlice = await invite();
    const chatId = randomUUID();
    await bruno.do('chat.startExternal', { chatId, address: 'erin@example.org' });
    const byBruno = { chatId, token: await lastToken('erin@example.org') };
    const answer = async (token: string, path: 'preview' | 'accept') => {
      const response = await t.app.request(`http://localhost:3000/api/invitations/${path}`, {
        method: 'POST',
        headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
        body: JSON.stringify(path === 'accept' ? { token, name: 'Someone' } : { token })
      });
      return `${response.status} ${await response.text()}`;
    };
    const dead = await answer('A'.repeat(43), 'preview');
    expect(dead).toMatch(/^404 .*"invitation_invalid"/);

    // The organization's switch: every member's links die, at once.
    expect((await admin.patch(`${base}/settings`, { outboundExternal: false })).status).toBe(200);
    for (const { token } of [byAlice, byBruno]) {
      expect(await answer(token, 'preview')).toBe(dead);
      expect(await answer(token, 'accept')).toBe(dead);
    }
    expect((await requestRow(t, byAlice.chatId))?.tokenHash).not.toBeNull();

    // Back on: the links that have not expired work again (the older one has, meanwhile).
    expect((await admin.patch(`${base}/settings`, { outboundExternal: true })).status).toBe(200);
    t.clock.advance(INVITATION_LIFETIME_MS / 2);
    expect(await answer(expiring.token, 'preview')).toBe(dead);
    const preview = await t.browser().post('/api/invitations/preview', { token: byAlice.token });
    expect(preview.status).toBe(200);

    // One member's override closes only their own links.
    const override = await admin.patch(`${base}/members/${bruno.userId}`, { outbound: 'off' });
    expect(override.status).toBe(200);
    expect(await answer(byBruno.token, 'accept')).toBe(dead);
    const joined = await t.browser().post('/api/invitations/accept', {
      token: byAlice.token,
      name: 'Dana'
    });
    expect(joined.status).toBe(200);
    await admin.patch(`${base}/members/${bruno.userId}`, { outbound: 'default' });
    const erin = await t.browser().post('/api/invitations/accept', {
      token: byBruno.token,
      name: 'Erin'
    });
    expect(erin.status).toBe(200);
    expect(await membersOf(byBruno.chatId)).toHaveLength(2);
  });

  it('answers unknown, used and expired links byte for byte the same', async () => {
    const used = await invite();
    await t.browser().post('/api/invitations/accept', { token: used.token, name: 'Dana' });
    const expiring = await invite('erin@example.org');
    t.clock.advance(INVITATION_LIFETIME_MS);
    const unknown = 'A'.repeat(43);

    const answers = [];
    for (const token of [unknown, used.token, expiring.token]) {
      for (const path of ['preview', 'accept', 'refuse']) {
        const response = await t.app.request(`http://localhost:3000/api/invitations/${path}`, {
          method: 'POST',
          headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
          body: JSON.stringify(path === 'accept' ? { token, name: 'Someone' } : { token })
        });
        answers.push(`${response.status} ${await response.text()}`);
      }
    }
    expect(new Set(answers)).toEqual(new Set([answers[0]]));
    expect(answers[0]).toMatch(/^404 .*"invitation_invalid"/);
  });

  it('refuses: the request is suppressed, the link dies and later requests from the sender vanish', async () => {
    const { chatId, token } = await invite();
    const refused = await t.browser().post('/api/invitations/refuse', { token });
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ ok: true });
    const row = await requestRow(t, chatId);
    expect(Boolean(row?.suppressed)).toBe(true);
    expect(row?.tokenHash).toBeNull();
    const [refusal] = await t.store.db.select().from(tables.invitationRefusals);
    expect(refusal).toMatchObject({ addressKey: 'dana.field@example.org', senderId: alice.userId });
    expect((await t.browser().post('/api/invitations/accept', { token, name: 'D' })).status).toBe(
      404
    );

    const sentBefore = t.email.sent.length;
    await alice.do('chat.startExternal', { chatId: randomUUID(), address: INVITED });
    await t.services.notifier.idle();
    expect(t.email.sent.length).toBe(sentBefore);
  });

  it('refuses bad tokens as invalid requests, not as server errors', async () => {
    for (const body of [{}, { token: 42 }, { token: 'short' }, { token: 'A'.repeat(43), x: 1 }]) {
      const response = await t.browser().post('/api/invitations/accept', body);
      expect(response.status).toBe(400);
      expect(response.body?.error.code).toBe('invalid_request');
    }
  });

  it('rate limits each IP address with Retry-After', async () => {
    const browser = t.browser('192.0.2.99');
    const token = 'B'.repeat(43);
    for (let i = 0; i < 30; i++) {
      expect((await browser.post('/api/invitations/preview', { token })).status).toBe(404);
    }
    const limited = await browser.post('/api/invitations/preview', { token });
    expect(limited.status).toBe(429);
    expect(limited.body?.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another IP is not affected.
    expect(
      (await t.browser('192.0.2.100').post('/api/invitations/preview', { token })).status
    ).toBe(404);
  });
});

describe('signing up without the link', () => {
  it('finds the pending request sent to the address', async () => {
    const { chatId, token } = await invite();
    const dana = await signedUp(INVITED, 'Dana Field');
    const danaId = (await dana.get('/api/me')).body?.id as string;
    expect(await membersOf(chatId)).toEqual(expect.arrayContaining([alice.userId, danaId]));
    expect((await requestRow(t, chatId))?.recipientId).toBe(danaId);
    expect((await chatChangesOf(dana)).some((c) => c.chat.id === chatId)).toBe(true);
    // The link still opens the chat for her, once.
    expect((await dana.post('/api/invitations/accept', { token })).body).toEqual({ chatId });
  });
});

describe('requests from outside setting', () => {
  it('is on by default and round-trips through PATCH /api/me', async () => {
    expect((await alice.browser.get('/api/me')).body?.requestsAllowed).toBe(true);
    const off = await alice.browser.patch('/api/me', { requestsAllowed: false });
    expect(off.status).toBe(200);
    expect(off.body?.requestsAllowed).toBe(false);
    expect((await alice.browser.get('/api/me')).body?.requestsAllowed).toBe(false);
    const bad = await alice.browser.patch('/api/me', { requestsAllowed: 'no' });
    expect(bad.status).toBe(400);
    expect((await alice.browser.get('/api/me')).body?.requestsAllowed).toBe(false);
  });
});
