import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAddress, type Address } from '../../../common/address.ts';
import { openTestStore } from '../../../tests/support/harness.ts';
import type { Store } from '../../store/index.ts';
import {
  countInvitation,
  hashInvitationToken,
  invitationMessage,
  newInvitationToken
} from './invitations.ts';
import type { InvitationLimits } from '../../config.ts';

const address = (text: string): Address => {
  const parsed = parseAddress(text, 'FR');
  if (!parsed.ok) throw new Error(parsed.code);
  return parsed.address;
};

describe('invitation tokens', () => {
  it('are 32 random bytes in base64url, stored as their SHA-256 in hex', () => {
    const { token, hash } = newInvitationToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashInvitationToken(token)).toBe(hash);
    expect(newInvitationToken().token).not.toBe(token);
  });
});

describe('invitation limits', () => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await openTestStore());
  });
  afterEach(async () => {
    await dispose();
  });

  const roomy: InvitationLimits = {
    perSenderHour: 100,
    perOrganizationDay: 100,
    perAddressDay: 100,
    perCallingCodeDay: 100
  };
  const now = new Date('2026-06-01T09:00:00Z');
  const count = (limits: InvitationLimits, hit: Partial<Parameters<typeof countInvitation>[2]>) =>
    store.tx((tx) =>
      countInvitation(tx, limits, {
        senderId: 'sender-1',
        organizationId: 'org-1',
        address: address('dana@example.org'),
        now,
        ...hit
      })
    );

  it('refuses a 4th invitation to one address in a day, from anyone, with retryAfterSeconds', async () => {
    const limits = { ...roomy, perAddressDay: 3 };
    for (const senderId of ['a', 'b', 'c']) expect(await count(limits, { senderId })).toBeNull();
    const refused = await count(limits, { senderId: 'd', organizationId: 'org-2' });
    expect(refused).toEqual({
      code: 'rate_limited',
      message: expect.any(String),
      details: { retryAfterSeconds: 24 * 60 * 60 }
    });
    // Another address is not affected, and the window reopens after a day.
    expect(await count(limits, { address: address('erin@example.org') })).toBeNull();
    expect(await count(limits, { now: new Date(now.getTime() + 24 * 60 * 60 * 1000) })).toBeNull();
  });

  it('counts one sender per hour, whatever the address', async () => {
    const limits = { ...roomy, perSenderHour: 2 };
    expect(await count(limits, { address: address('a@example.org') })).toBeNull();
    expect(await count(limits, { address: address('b@example.org') })).toBeNull();
    const refused = await count(limits, {
      address: address('c@example.org'),
      now: new Date(now.getTime() + 60_000)
    });
    expect(refused?.details).toEqual({ retryAfterSeconds: 59 * 60 });
  });

  it('counts an organization per day for managed senders only', async () => {
    const limits = { ...roomy, perOrganizationDay: 1 };
    expect(await count(limits, { senderId: 'a', address: address('a@example.org') })).toBeNull();
    expect(await count(limits, { senderId: 'b', address: address('b@example.org') })).toMatchObject(
      { code: 'rate_limited' }
    );
    for (const senderId of ['p', 'q']) {
      expect(
        await count(limits, {
          senderId,
          organizationId: null,
          address: address(`${senderId}@example.org`)
        })
      ).toBeNull();
    }
  });

  it('counts phone numbers per calling code, and email addresses never', async () => {
    const limits = { ...roomy, perCallingCodeDay: 1 };
    expect(await count(limits, { address: address('+33 6 12 34 56 78') })).toBeNull();
    expect(await count(limits, { address: address('+33 6 98 76 54 32') })).toMatchObject({
      code: 'rate_limited'
    });
    expect(await count(limits, { address: address('+44 7400 123456') })).toBeNull();
    expect(await count(limits, { address: address('x@example.org') })).toBeNull();
    expect(await count(limits, { address: address('y@example.org') })).toBeNull();
  });

  it('counts nothing when the caller’s transaction rolls back', async () => {
    const limits = { ...roomy, perAddressDay: 1 };
    await expect(
      store.tx(async (tx) => {
        await countInvitation(tx, limits, {
          senderId: 's',
          organizationId: null,
          address: address('dana@example.org'),
          now
        });
        throw new Error('the mutation failed');
      })
    ).rejects.toThrow('the mutation failed');
    expect(await count(limits, {})).toBeNull();
  });
});

describe('invitation messages', () => {
  const token = 'T'.repeat(43);
  const base = {
    sender: { name: 'Alice Martin', organization: 'Contoso', address: 'alice@contoso.test' },
    locale: 'en' as const,
    token,
    publicUrl: 'https://parley.example.com'
  };
  const join = `https://parley.example.com/join#token=${token}`;
  const refuse = `https://parley.example.com/refuse#token=${token}`;

  /** What is left once the variable parts are taken out: the same for any sender. */
  const fixedPart = (text: string, ...variables: string[]) =>
    variables.reduce((rest, value) => rest.split(value).join('<>'), text);

  it.each(['en', 'fr'] as const)(
    'emails an invitation (%s) with the sender, the organization and both links, nothing else variable',
    (locale) => {
      const one = invitationMessage('invitation', {
        ...base,
        locale,
        address: address('dana@example.org')
      });
      expect(one).toMatchObject({ channel: 'email', to: 'dana@example.org' });
      if (one.channel !== 'email') throw new Error('email expected');
      expect(one.subject).toContain('Alice Martin');
      expect(one.text).toContain('Alice Martin (alice@contoso.test)');
      expect(one.subject).toContain('alice@contoso.test');
      expect(one.text).toContain('Contoso');
      expect(one.text).toContain(join);
      expect(one.text).toContain(refuse);

      const other = invitationMessage('invitation', {
        ...base,
        locale,
        sender: { name: 'Zoe Quinn', organization: 'Fabrikam', address: 'zoe@fabrikam.test' },
        token: 'U'.repeat(43),
        address: address('erin@example.org')
      });
      if (other.channel !== 'email') throw new Error('email expected');
      const otherJoin = join.replace(token, 'U'.repeat(43));
      const otherRefuse = refuse.replace(token, 'U'.repeat(43));
      expect(
        fixedPart(one.text, refuse, join, 'Alice Martin', 'alice@contoso.test', 'Contoso')
      ).toBe(
        fixedPart(other.text, otherRefuse, otherJoin, 'Zoe Quinn', 'zoe@fabrikam.test', 'Fabrikam')
      );
    }
  );

  it('texts an invitation to a phone with both links', () => {
    const sms = invitationMessage('invitation', { ...base, address: address('+33612345678') });
    expect(sms).toMatchObject({ channel: 'sms', to: '+33612345678' });
    expect(sms.text).toContain('Alice Martin (alice@contoso.test) from Contoso');
    expect(sms.text).toContain(join);
    expect(sms.text).toContain(refuse);
  });

  it('tells an account holder of a request with a link to the app, and no token', () => {
    const email = invitationMessage('request', {
      ...base,
      token: null,
      address: address('dana@example.org')
    });
    if (email.channel !== 'email') throw new Error('email expected');
    expect(email.subject).toBe(
      'Alice Martin (alice@contoso.test) from Contoso sent you a message request on Parley'
    );
    expect(email.text).toContain('https://parley.example.com/');
    expect(email.text).not.toContain('token');
  });

  it('names a personal sender without an organization', () => {
    const email = invitationMessage('invitation', {
      ...base,
      sender: { name: 'Bob Lee', organization: null, address: '+33612345678' },
      address: address('dana@example.org')
    });
    if (email.channel !== 'email') throw new Error('email expected');
    expect(email.subject).toBe('Bob Lee (+33612345678) invited you to chat on Parley');
  });

  it('names the sender by their verified address alone when a stored name carries a link', () => {
    const email = invitationMessage('invitation', {
      ...base,
      sender: {
        name: 'Eve\n\nClick https://evil.example\u202e',
        organization: 'Contoso',
        address: 'eve@contoso.test'
      },
      address: address('dana@example.org')
    });
    if (email.channel !== 'email') throw new Error('email expected');
    expect(email.text.split('\n')[0]).toBe(
      'eve@contoso.test from Contoso would like to chat with you on Parley.'
    );
    expect(email.text).not.toContain('evil');
    expect(email.subject).not.toContain('evil');
  });

  it('removes bidi controls from a stored name so it cannot reorder the message', () => {
    const sms = invitationMessage('invitation', {
      ...base,
      sender: { name: 'Sam \u202eanivir', organization: null, address: 'sam@example.org' },
      address: address('+33612345678')
    });
    expect(sms.text).toMatch(/^Sam anivir \(sam@example\.org\) invited you/);
    expect(sms.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
