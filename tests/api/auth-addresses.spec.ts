// Look-alike addresses against sign-in and invitations: the address a code is delivered to is
// the address of the account it signs into, whatever characters were typed (issue 9, item 1).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceFor } from '../support/sync.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

/** People who signed up before the attacker tries, by the real flow. */
const ACCOUNTS = [
  'kate.r@example.org',
  '\u0130nci@example.org',
  'ilker@example.org',
  'strasse@example.org',
  'jos\u00e9@example.org'
];

/**
 * What must happen to each input: refused as a look-alike (or as malformed), signed into the
 * named account with the code sent to that account's own address, or a new account of its own
 * (a different mailbox, reaching nobody else).
 */
type Expected =
  { refused: 'confusable_email' | 'invalid_email' } | { account: string } | { new: true };
const refused = (reason: 'confusable_email' | 'invalid_email' = 'confusable_email'): Expected => ({
  refused: reason
});
const account = (email: string): Expected => ({ account: email });
const own: Expected = { new: true };

const INPUTS: [string, string, Expected][] = [
  ['Kelvin sign for K', '\u212Aate.r@example.org', refused()],
  ['i + combining dot above against an \u0130 account', 'i\u0307nci@example.org', refused()],
  ['capital I with dot against an i account', '\u0130lker@example.org', own],
  ['dotless \u0131', '\u0131lker@example.org', refused()],
  ['long s', '\u017Ftrasse@example.org', refused()],
  ['sharp s against ss', 'stra\u00dfe@example.org', own],
  ['fullwidth letter in the local part', '\uFF4Bate.r@example.org', refused()],
  ['fullwidth letter in the domain', 'kate.r@\uFF45xample.org', refused()],
  ['ligature fi', 'kate.r@exampl\uFB01.org', refused()],
  ['combining mark left over', 'k\u0307ate.r@example.org', refused()],
  ['a mark NFC composes is a letter of its own', 'kate.r\u0307@example.org', own],
  ['combining overlay', 'ka\u0338te.r@example.org', refused()],
  ['NFD against the NFC account', 'jose\u0301@example.org', account('jos\u00e9@example.org')],
  ['visible accent is another mailbox', 'ka\u0301te.r@example.org', own],
  ['zero-width joiner in the local part', 'kate\u200D.r@example.org', refused('invalid_email')],
  ['zero-width space in the local part', 'kate.r\u200B@example.org', refused('invalid_email')],
  ['soft hyphen in the domain', 'kate.r@exam\u00ADple.org', refused('invalid_email')],
  ['Cyrillic a in the local part', 'k\u0430te.r@example.org', refused()],
  ['Cyrillic a in the domain', 'kate.r@ex\u0430mple.org', refused()],
  ['Greek omicron in the domain', 'kate.r@exampl\u03bf.org', refused()],
  ['the mixed-script domain typed as punycode', 'kate.r@xn--exmple-4nf.org', refused()],
  ['ideographic full stop', 'kate.r@example\u3002org', refused('invalid_email')],
  ['another case', 'KATE.R@Example.ORG', account('kate.r@example.org')],
  ['another case of \u0130', '\u0130NCI@example.org', account('\u0130nci@example.org')]
];

describe('look-alike addresses at sign-in', () => {
  it('covers at least 15 confusable inputs', () => {
    expect(INPUTS.length).toBeGreaterThanOrEqual(15);
  });

  it('never sends a code to, nor signs into, an account other than the one at the delivered address', async () => {
    const ids = new Map<string, string>();
    for (const email of ACCOUNTS) {
      const user = await t.browser(`198.51.100.${ids.size + 1}`).signIn(t, email, 'Someone');
      ids.set(email, user.id as string);
    }
    await t.services.notifier.idle();

    let ip = 0;
    for (const [what, input, expected] of INPUTS) {
      const browser = t.browser(`192.0.2.${++ip}`);
      const before = t.email.sent.length;
      const sent = await browser.post('/api/auth/code', { address: input });
      await t.services.notifier.idle();
      const delivered = t.email.sent.slice(before);

      if (sent.status === 202) {
        // Whatever was expected, a code that left must sign into the mailbox it went to.
        expect(delivered, what).toHaveLength(1);
        const to = delivered[0]?.to ?? '';
        const code = /\b(\d{6})\b/.exec(delivered[0]?.text ?? '')?.[1];
        const verified = await browser.post('/api/auth/verify', {
          address: input,
          code,
          name: 'Mallory'
        });
        expect(verified.body?.status, what).toBe('signed_in');
        const user = verified.body?.user as { id: string; email: string };
        const holder = [...ids].find(([, id]) => id === user.id)?.[0];
        expect({ codeSentTo: to, signedInAs: user.email }, what).toEqual({
          codeSentTo: holder ?? to,
          signedInAs: holder ?? to
        });
        if ('account' in expected) expect(holder, what).toBe(expected.account);
        else expect(holder, what).toBeUndefined();
      }
      if ('refused' in expected) {
        expect(sent.status, what).toBe(400);
        expect(sent.body?.error, what).toMatchObject({
          code: 'invalid_address',
          details: { reason: expected.refused }
        });
        expect(delivered, what).toEqual([]);
        const verify = await browser.post('/api/auth/verify', { address: input, code: '123456' });
        expect(verify.status, what).toBe(400);
      } else {
        expect(sent.status, what).toBe(202);
      }
    }
  });
});

describe('look-alike addresses in invitations', () => {
  it('refuses to invite a look-alike of an account’s address, and sends nothing', async () => {
    await t.browser().signIn(t, '\u0130nci@example.org', '\u0130nci');
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    await t.services.notifier.idle();
    const before = t.email.sent.length;
    for (const address of ['i\u0307nci@example.org', '\u212Aate.r@example.org']) {
      const result = await bruno.do('chat.startExternal', { chatId: randomUUID(), address });
      expect(result, address).toMatchObject({
        status: 'rejected',
        code: 'invalid_address',
        details: { reason: 'confusable_email' }
      });
    }
    await t.services.notifier.idle();
    expect(t.email.sent.slice(before)).toEqual([]);
    expect(await t.store.db.select().from(tables.messageRequests)).toEqual([]);
  });
});
