// Sign-in codes by SMS follow the invitation rules (countries, a daily budget per calling code),
// and wrong codes lock the address out for longer each time (issue 9, item 2).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceFor } from '../support/sync.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
let ip = 0;
/** A browser of its own each time, so that the per-IP limit never gets in the way. */
const fresh = () => t.browser(`192.0.2.${++ip % 250}`);

async function smsSentTo(to: string): Promise<number> {
  await t.services.notifier.idle();
  return t.sms.sent.filter((m) => m.to === to).length;
}

describe('sign-in codes by SMS', () => {
  it('texts no code to a number outside the server’s countries, non-geographic ones included', async () => {
    t = await startTestApp();
    for (const [address, e164] of [
      ['+7 912 345 67 89', '+79123456789'],
      ['+800 1234 5678', '+80012345678'],
      ['+86 138 0013 8000', '+8613800138000'],
      ['+234 803 123 4567', '+2348031234567']
    ] as const) {
      const response = await fresh().post('/api/auth/code', { address, region: 'FR' });
      expect(response.status, address).toBe(400);
      expect(response.body?.error, address).toMatchObject({
        code: 'invalid_address',
        details: { reason: 'sms_country_not_allowed' }
      });
      expect(await smsSentTo(e164), address).toBe(0);
    }
    // The default list is the invitations' one: France is on it.
    expect((await fresh().post('/api/auth/code', { address: '+33 6 12 34 56 78' })).status).toBe(
      202
    );
    expect(await smsSentTo('+33612345678')).toBe(1);
  });

  it('texts only the countries SMS_COUNTRIES names, invitations included', async () => {
    t = await startTestApp({ smsCountries: ['RU'] });
    expect((await fresh().post('/api/auth/code', { address: '+7 912 345 67 89' })).status).toBe(
      202
    );
    const france = await fresh().post('/api/auth/code', { address: '+33 6 12 34 56 78' });
    expect(france.body?.error.details).toEqual({ reason: 'sms_country_not_allowed' });
    expect(await smsSentTo('+79123456789')).toBe(1);
    expect(await smsSentTo('+33612345678')).toBe(0);

    // Contoso's own list (the default, which has FR) cannot widen the server's.
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const invited = await bruno.do('chat.startExternal', {
      chatId: randomUUID(),
      address: '06 12 34 56 78'
    });
    expect(invited).toMatchObject({
      status: 'rejected',
      code: 'invalid_address',
      details: { reason: 'country_not_allowed' }
    });
    expect(await smsSentTo('+33612345678')).toBe(0);
  });

  it('spends a daily budget per calling code, then answers 429 with Retry-After', async () => {
    t = await startTestApp({ signInSmsPerCallingCodeDay: 2 });
    const send = (address: string) => fresh().post('/api/auth/code', { address, region: 'FR' });
    expect((await send('06 12 34 56 71')).status).toBe(202);
    expect((await send('06 12 34 56 72')).status).toBe(202);
    const over = await send('06 12 34 56 73');
    expect(over.status).toBe(429);
    expect(over.body?.error.code).toBe('rate_limited');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await smsSentTo('+33612345673')).toBe(0);

    // Other calling codes and email keep going.
    expect((await send('+44 7400 123456')).status).toBe(202);
    expect((await send('someone@example.org')).status).toBe(202);

    t.clock.advance(DAY);
    expect((await send('06 12 34 56 73')).status).toBe(202);
    expect(await smsSentTo('+33612345673')).toBe(1);
  });

  it('does not spend the budget on requests another limit refuses', async () => {
    t = await startTestApp({ signInSmsPerCallingCodeDay: 6 });
    const browser = t.browser('198.51.100.9');
    const statuses: number[] = [];
    // 5 per address per 15 minutes: the 6th to 10th are refused and must not count.
    for (let i = 0; i < 10; i++) {
      statuses.push((await browser.post('/api/auth/code', { address: '+33612345671' })).status);
    }
    expect(statuses.filter((status) => status === 202)).toHaveLength(5);
    expect((await fresh().post('/api/auth/code', { address: '+33612345672' })).status).toBe(202);
  });
});

describe('wrong codes', () => {
  const ALICE = 'alice@contoso.test';

  async function guessWrong(times: number): Promise<string[]> {
    const code = await t.lastCode(ALICE);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers: string[] = [];
    for (let i = 0; i < times; i++) {
      const r = await fresh().post('/api/auth/verify', { address: ALICE, code: wrong });
      answers.push(r.body?.error.code);
    }
    return answers;
  }

  function expectLocked(response: Awaited<ReturnType<ReturnType<typeof fresh>['post']>>) {
    expect(response.status).toBe(429);
    expect(response.body?.error.code).toBe('sign_in_locked');
    return Number(response.headers.get('retry-after'));
  }

  it('lock the address after 5, for a minute, then twice as long each time', async () => {
    t = await startTestApp();
    await fresh().post('/api/auth/code', { address: ALICE });
    expect(await guessWrong(5)).toEqual([
      'invalid_code',
      'invalid_code',
      'invalid_code',
      'invalid_code',
      'code_attempts_exceeded'
    ]);
    // Neither a guess nor a new code while locked, from anywhere.
    expect(expectLocked(await fresh().post('/api/auth/code', { address: ALICE }))).toBe(60);
    const code = await t.lastCode(ALICE);
    expect(expectLocked(await fresh().post('/api/auth/verify', { address: ALICE, code }))).toBe(60);

    t.clock.advance(MINUTE);
    expect((await fresh().post('/api/auth/code', { address: ALICE })).status).toBe(202);
    await guessWrong(5);
    expect(expectLocked(await fresh().post('/api/auth/code', { address: ALICE }))).toBe(120);
    t.clock.advance(2 * MINUTE);
    await fresh().post('/api/auth/code', { address: ALICE });
    await guessWrong(5);
    expect(expectLocked(await fresh().post('/api/auth/code', { address: ALICE }))).toBe(240);
  });

  it('count across codes, and a sign-in forgets them', async () => {
    t = await startTestApp();
    await fresh().post('/api/auth/code', { address: ALICE });
    expect(await guessWrong(3)).toEqual(['invalid_code', 'invalid_code', 'invalid_code']);
    await fresh().post('/api/auth/code', { address: ALICE });
    expect(await guessWrong(2)).toEqual(['invalid_code', 'invalid_code']);
    expectLocked(await fresh().post('/api/auth/code', { address: ALICE }));

    t.clock.advance(MINUTE);
    const browser = fresh();
    await browser.post('/api/auth/code', { address: ALICE });
    await guessWrong(4);
    const code = await t.lastCode(ALICE);
    expect((await browser.post('/api/auth/verify', { address: ALICE, code })).body?.status).toBe(
      'signed_in'
    );
    // Signed in: the count starts again at 0 (9 + 1 would have locked at once), and so does
    // the lock's length.
    await fresh().post('/api/auth/code', { address: ALICE });
    expect(await guessWrong(4)).toEqual(Array(4).fill('invalid_code'));
    await guessWrong(1);
    expect(expectLocked(await fresh().post('/api/auth/code', { address: ALICE }))).toBe(60);
  });

  it('lock the address however many guesses race, on any engine', async () => {
    t = await startTestApp();
    await fresh().post('/api/auth/code', { address: ALICE });
    const code = await t.lastCode(ALICE);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        fresh().post('/api/auth/verify', { address: ALICE, code: wrong })
      )
    );
    expect(answers.every((r) => r.status === 400 || r.status === 429)).toBe(true);
    expect(answers.filter((r) => r.body?.error.code === 'invalid_code').length).toBeLessThan(5);
    expectLocked(await fresh().post('/api/auth/code', { address: ALICE }));
  });

  it('lock per address, not other people', async () => {
    t = await startTestApp();
    await fresh().post('/api/auth/code', { address: ALICE });
    await guessWrong(5);
    expectLocked(await fresh().post('/api/auth/code', { address: ALICE }));
    expect((await fresh().post('/api/auth/code', { address: 'bruno@contoso.test' })).status).toBe(
      202
    );
  });
});
