// People's names at every write (sign-up, profile, invitation join) and on the way out.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../common/protocol.ts';
import { addPersonalUser } from '../support/external.ts';
import { signedIn } from '../support/builders.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { deviceFor } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const PHISHING: [string, string][] = [
  ['Password reset: visit https://evil.example', 'name_contains_url'],
  ['Support evil.com', 'name_contains_url'],
  ['Write to help@evil.example', 'name_contains_email'],
  ['Call +33 6 12 34 56 78', 'name_contains_phone'],
  ['Sam \u202Eanivir', 'name_invisible_characters'],
  ['Sam\u2066 x', 'name_invisible_characters'],
  ['Ali\u200Bce', 'name_invisible_characters'],
  ['Alice\nSupport', 'name_invisible_characters'],
  ['x'.repeat(81), 'name_too_long'],
  ['\u00A0 ', 'name_empty']
];

async function codeFor(browser: Browser, address: string): Promise<string> {
  await browser.post('/api/auth/code', { address });
  return t.lastCode(address);
}

describe('a name at sign-up', () => {
  it.each(PHISHING.filter(([, code]) => code !== 'name_empty'))(
    'refuses %j with %s and keeps the code for another try',
    async (name, code) => {
      const browser = t.browser();
      const address = 'newcomer@example.org';
      const sent = await codeFor(browser, address);
      const refused = await browser.post('/api/auth/verify', { address, code: sent, name });
      expect(refused.status).toBe(400);
      expect(refused.body?.error.code).toBe(code);
      expect(refused.body?.error.message).toEqual(expect.any(String));
      expect(
        await t.store.db.select().from(tables.users).where(eq(tables.users.email, address))
      ).toEqual([]);

      const retried = await browser.post('/api/auth/verify', {
        address,
        code: sent,
        name: 'Dana Field'
      });
      expect(retried.body).toMatchObject({ status: 'signed_in', user: { name: 'Dana Field' } });
    }
  );

  it('stores the name NFC-normalized, with spaces collapsed and trimmed', async () => {
    const browser = t.browser();
    const address = 'chloe@example.org';
    const code = await codeFor(browser, address);
    const verified = await browser.post('/api/auth/verify', {
      address,
      code,
      name: '  Chloe\u0301\u00A0  Durand '
    });
    expect(verified.body?.user.name).toBe('Chlo\u00E9 Durand');
  });
});

describe('a name on the profile', () => {
  it.each(PHISHING)('refuses %j with %s and changes nothing', async (name, code) => {
    const browser = await signedIn(t, 'bruno@contoso.test');
    const refused = await browser.patch('/api/me', { name });
    expect(refused.status).toBe(400);
    expect(refused.body?.error.code).toBe(code);
    expect((await browser.get('/api/me')).body?.name).toBe('Bruno Petit');
  });

  it('saves a valid name in its stored form', async () => {
    const browser = await signedIn(t, 'bruno@contoso.test');
    const saved = await browser.patch('/api/me', { name: ' Bruno  Petit-Dupont ' });
    expect(saved.status).toBe(200);
    expect(saved.body?.name).toBe('Bruno Petit-Dupont');
  });
});

describe('a name when joining by invitation', () => {
  async function invitation(): Promise<string> {
    const alice = await deviceFor(t, 'alice@contoso.test');
    const address = 'dana@example.org';
    await alice.do('chat.startExternal', { chatId: randomUUID(), address });
    await t.services.notifier.idle();
    const text = t.email.sent.filter((m) => m.to === address).at(-1)?.text ?? '';
    const token = text.match(/\/join#token=([\w-]+)/)?.[1];
    if (!token) throw new Error('no invitation');
    return token;
  }

  it('refuses a phishing name, keeps the link working, then joins with a real name', async () => {
    const token = await invitation();
    const refused = await t.browser().post('/api/invitations/accept', {
      token,
      name: 'Parley security: go to https://evil.example'
    });
    expect(refused.status).toBe(400);
    expect(refused.body?.error.code).toBe('name_contains_url');

    const bidi = await t.browser().post('/api/invitations/accept', { token, name: 'Dana \u202E' });
    expect(bidi.body?.error.code).toBe('name_invisible_characters');

    const joined = await t.browser().post('/api/invitations/accept', { token, name: 'Dana' });
    expect(joined.status).toBe(200);
  });
});

describe('invitations name the sender with their verified address', () => {
  it('emails and texts the sender’s name next to the address they signed in with', async () => {
    const alice = await deviceFor(t, 'alice@contoso.test');
    await alice.do('chat.startExternal', { chatId: randomUUID(), address: 'dana@example.org' });
    await alice.do('chat.startExternal', { chatId: randomUUID(), address: '+33 6 12 34 56 78' });
    await t.services.notifier.idle();
    const email = t.email.sent.find((m) => m.to === 'dana@example.org');
    expect(email?.subject).toBe(
      'Alice Martin (alice@contoso.test) from Contoso invited you to chat on Parley'
    );
    const sms = t.sms.sent.find((m) => m.to === '+33612345678');
    expect(sms?.text).toMatch(/^Alice Martin \(alice@contoso\.test\) from Contoso invited you/);
  });
});

describe('names stored before the rule', () => {
  it('are served without the characters that reorder or hide text', async () => {
    const samId = await addPersonalUser(t, {
      name: 'Sam \u202Eanivir\u200B',
      email: 'sam@example.org'
    });
    const sam = await deviceFor(t, 'sam@example.org');
    expect((await sam.browser.get('/api/me')).body?.name).toBe('Sam anivir');

    // Sam's request to Bruno carries the cleaned name in its member list.
    const chatId = randomUUID();
    await sam.do('chat.startExternal', { chatId, address: 'bruno@contoso.test' });
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const pulled = (await bruno.browser.get('/api/sync/pull?cursor=0')).body as PullResponse;
    const chat = pulled.changes.find((c) => c.type === 'chat' && c.chat.id === chatId);
    const members = chat?.type === 'chat' ? chat.chat.members : [];
    expect(members.find((m) => m.userId === samId)?.name).toBe('Sam anivir');
  });

  it('leave a name with a link out of what a stranger receives', async () => {
    await t.store.db
      .update(tables.users)
      .set({ name: 'Reset your password at evil.com' })
      .where(eq(tables.users.email, 'alice@contoso.test'));
    const alice = await deviceFor(t, 'alice@contoso.test');
    await alice.do('chat.startExternal', { chatId: randomUUID(), address: 'dana@example.org' });
    await t.services.notifier.idle();
    const email = t.email.sent.find((m) => m.to === 'dana@example.org');
    expect(email?.subject).toBe('alice@contoso.test from Contoso invited you to chat on Parley');
    expect(email?.text).not.toContain('evil');
  });
});
