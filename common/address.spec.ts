import { describe, it, expect } from 'vitest';
import {
  emailDomain,
  isRegionCode,
  maskAddress,
  parseAddress,
  parseEmail,
  parsePhone,
  type AddressErrorCode,
  type EmailAddress,
  type PhoneAddress
} from './address.ts';

type Outcome = { value: string; key?: string } | { code: AddressErrorCode };

const ok = (value: string, key?: string): Outcome =>
  key === undefined ? { value } : { value, key };
const err = (code: AddressErrorCode): Outcome => ({ code });

const longLocal = 'a'.repeat(64);
const longDomain = `${'b'.repeat(63)}.`.repeat(3) + 'com';

// Every expectation about a number's type was checked against libphonenumber-js 1.13 max
// metadata with getType(), not assumed from national numbering plans.
const cases: [string, string | undefined, Outcome][] = [
  // Empty input
  ['', 'FR', err('empty')],
  [' \t\u00a0 ', 'FR', err('empty')],

  // France: separators, +33 vs 0033 vs national 0
  ['06 12 34 56 78', 'FR', ok('+33612345678')],
  ['06.12.34.56.78', 'FR', ok('+33612345678')],
  ['06-12-34-56-78', 'FR', ok('+33612345678')],
  ['  06 12 34 56 78  ', 'FR', ok('+33612345678')],
  ['06\u202f12\u00a034 56 78', 'FR', ok('+33612345678')],
  ['06\u201312\u201334\u201356\u201378', 'FR', ok('+33612345678')],
  ['+33 6 12 34 56 78', 'FR', ok('+33612345678')],
  ['+33 (0)6 12 34 56 78', 'FR', ok('+33612345678')],
  ['0033 6 12 34 56 78', 'FR', ok('+33612345678')],
  ['+33612345678', undefined, ok('+33612345678')],
  ['+33612345678', 'US', ok('+33612345678')],
  ['\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18', 'FR', ok('+33612345678')],
  ['01 23 45 67 89', 'FR', ok('+33123456789')],
  ['0800 12 34 56', 'FR', ok('+33800123456')],

  // United States: brackets, dashes, the 011 international prefix
  ['(212) 456-7890', 'US', ok('+12124567890')],
  ['1-212-456-7890', 'US', ok('+12124567890')],
  ['212.456.7890', 'US', ok('+12124567890')],
  ['(415) 555-2671', 'US', ok('+14155552671')],
  ['011 33 6 12 34 56 78', 'US', ok('+33612345678')],
  // '00' is not the international prefix in the US, so this reads as a too-long national number.
  ['0033 6 12 34 56 78', 'US', err('invalid_phone')],

  // United Kingdom and Germany
  ['020 7946 0018', 'GB', ok('+442079460018')],
  ['+44 (0) 20 7946 0018', 'GB', ok('+442079460018')],
  ['07400 123456', 'GB', ok('+447400123456')],
  ['00 44 20 7946 0018', 'FR', ok('+442079460018')],
  ['030/123456', 'DE', ok('+4930123456')],
  ['0151 23456789', 'DE', ok('+4915123456789')],
  ['00 49 30 123456', 'FR', ok('+4930123456')],

  // Possible (right length) but not valid (unallocated range)
  ['06 12 34 56 7', 'FR', err('phone_not_valid')],
  ['+33 7 00 00 00 00', 'FR', err('phone_not_valid')],
  ['07700 900123', 'GB', err('phone_not_valid')],
  ['0137 123456', 'DE', err('phone_not_valid')],

  // Unparseable
  ['+33 6 12', 'FR', err('invalid_phone')],
  ['+33 6 12 34 56 78 9', 'FR', err('invalid_phone')],
  ['+999 123 456', 'FR', err('invalid_phone')],
  ['06+12345678', 'FR', err('invalid_phone')],
  ['++33612345678', 'FR', err('invalid_phone')],

  // Letters: vanity numbers, extensions, labels
  ['1-800-FLOWERS', 'US', err('invalid_phone')],
  ['+1 (415) 555-2671 x12', 'US', err('invalid_phone')],
  ['06 12 34 56 78 ext. 12', 'FR', err('invalid_phone')],
  ['tel:+33612345678', 'FR', err('invalid_phone')],
  ['alice', 'FR', err('invalid_phone')],

  // No usable default region for a national number
  ['06 12 34 56 78', undefined, err('missing_country_code')],
  ['06 12 34 56 78', 'fr', err('missing_country_code')],
  ['06 12 34 56 78', 'ZZ', err('missing_country_code')],
  ['0033 6 12 34 56 78', undefined, err('missing_country_code')],

  // Premium rate
  ['08 99 12 34 56', 'FR', err('premium_rate_number')],
  ['0812 12 34 56', 'FR', err('premium_rate_number')],
  ['+33 8 36 12 34 56', 'US', err('premium_rate_number')],
  ['0909 123 4567', 'GB', err('premium_rate_number')],
  // GB 084x/087x "service numbers" are PREMIUM_RATE in the metadata; GB has no SHARED_COST.
  ['0845 123 4567', 'GB', err('premium_rate_number')],
  ['0870 123 4567', 'GB', err('premium_rate_number')],
  ['0900 1 234567', 'DE', err('premium_rate_number')],
  ['1 900 234 5678', 'US', err('premium_rate_number')],

  // Shared cost
  ['0810 12 34 56', 'FR', err('shared_cost_number')],
  ['08 20 12 34 56', 'FR', err('shared_cost_number')],
  ['0180 5 123456', 'DE', err('shared_cost_number')],

  // Emails: case, spaces, tags
  ['Alice@Example.ORG', 'FR', ok('Alice@example.org', 'alice@example.org')],
  ['  bob@example.org  ', 'FR', ok('bob@example.org', 'bob@example.org')],
  ['Bob+News@example.org', 'FR', ok('Bob+News@example.org', 'bob+news@example.org')],
  ["o'brien@example.ie", 'FR', ok("o'brien@example.ie")],
  ['first.last@mail.example.co.uk', undefined, ok('first.last@mail.example.co.uk')],
  [`${longLocal}@example.org`, 'FR', ok(`${longLocal}@example.org`)],

  // Emails: internationalised domains and local parts
  ['josé@Exämple.org', 'FR', ok('josé@xn--exmple-cua.org', 'josé@xn--exmple-cua.org')],
  ['ÉLODIE@example.org', 'FR', ok('ÉLODIE@example.org', 'élodie@example.org')],
  ['jose\u0301@example.org', 'FR', ok('jos\u00e9@example.org')],
  ['user@例え.テスト', 'FR', ok('user@xn--r8jz45g.xn--zckzah')],
  ['user@faß.de', 'FR', ok('user@xn--fa-hia.de')],
  ['user@XN--EXMPLE-CUA.ORG', 'FR', ok('user@xn--exmple-cua.org')],

  // Emails: refused
  ['"john doe"@example.org', 'FR', err('quoted_local_part')],
  ['"a@b"@example.org', 'FR', err('quoted_local_part')],
  ['john"doe@example.org', 'FR', err('invalid_email')],
  ['@example.org', 'FR', err('invalid_email')],
  ['alice@', 'FR', err('invalid_email')],
  ['@', 'FR', err('invalid_email')],
  ['a@b@example.org', 'FR', err('invalid_email')],
  ['alice smith@example.org', 'FR', err('invalid_email')],
  ['alice@example .org', 'FR', err('invalid_email')],
  ['ali\u200bce@example.org', 'FR', err('invalid_email')],
  ['.alice@example.org', 'FR', err('invalid_email')],
  ['alice.@example.org', 'FR', err('invalid_email')],
  ['al..ice@example.org', 'FR', err('invalid_email')],
  ['alice(comment)@example.org', 'FR', err('invalid_email')],
  ['alice@localhost', 'FR', err('invalid_email')],
  ['alice@example.org.', 'FR', err('invalid_email')],
  ['alice@example..org', 'FR', err('invalid_email')],
  ['alice@-example.org', 'FR', err('invalid_email')],
  ['alice@example-.org', 'FR', err('invalid_email')],
  ['alice@exa_mple.org', 'FR', err('invalid_email')],
  ['alice@ex%61mple.org', 'FR', err('invalid_email')],
  ['alice@example.org:25', 'FR', err('invalid_email')],
  ['alice@example.org/x', 'FR', err('invalid_email')],
  ['alice@192.168.0.1', 'FR', err('invalid_email')],
  ['alice@[192.168.0.1]', 'FR', err('invalid_email')],
  ['alice@example.c', 'FR', err('invalid_email')],
  ['alice@xn--a.com', 'FR', err('invalid_email')],
  ['kate@exa\u00admple.org', 'FR', err('invalid_email')],
  ['kate@example\u3002org', 'FR', err('invalid_email')],
  ['kate\u{1F600}@example.org', 'FR', err('invalid_email')],

  // Emails: characters that pass for others, refused rather than mapped (one mailbox on screen,
  // another in delivery otherwise)
  ['\u212Aate.r@example.org', 'FR', err('confusable_email')],
  ['i\u0307nci@example.org', 'FR', err('confusable_email')],
  ['\u0131nci@example.org', 'FR', err('confusable_email')],
  ['\u017Fam@example.org', 'FR', err('confusable_email')],
  ['\uFF4Bate@example.org', 'FR', err('confusable_email')],
  ['\uFB01le@example.org', 'FR', err('confusable_email')],
  ['k\u0430te@example.org', 'FR', err('confusable_email')],
  ['\u0430\u0440\u0435@example.org', 'FR', err('confusable_email')],
  ['kate\u0338@example.org', 'FR', err('confusable_email')],
  ['kate@ex\u0430mple.org', 'FR', err('confusable_email')],
  ['kate@xn--exmple-4nf.org', 'FR', err('confusable_email')],
  ['kate@xn--80ak6aa92e.com', 'FR', err('confusable_email')],
  ['kate@\uFF45xample.org', 'FR', err('confusable_email')],
  ['kate@\u212Aontoso.test', 'FR', err('confusable_email')],

  // Emails: other alphabets, written in one of them, are addresses like any other
  ['\u0130nci@example.org', 'FR', ok('\u0130nci@example.org', 'i\u0307nci@example.org')],
  ['stra\u00dfe@example.org', 'FR', ok('stra\u00dfe@example.org', 'stra\u00dfe@example.org')],
  ['STRA\u1E9EE@example.org', 'FR', ok('STRA\u1E9EE@example.org', 'stra\u00dfe@example.org')],
  ['иван@почта.рф', 'FR', ok('иван@xn--80a1acny.xn--p1ai')],
  ['राम@example.in', 'FR', ok('राम@example.in')],
  ['田中たろう@example.jp', 'FR', ok('田中たろう@example.jp')],
  ['ΑΘΗΝΑ@example.gr', 'FR', ok('ΑΘΗΝΑ@example.gr', 'αθηνα@example.gr')],
  [`a${longLocal}@example.org`, 'FR', err('email_too_long')],
  [`${longLocal}@${longDomain}`, 'FR', err('email_too_long')]
];

describe('parseAddress', () => {
  it('covers enough tricky inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%j (region %s)', (input, region, expected) => {
    const result = parseAddress(input, region);
    if ('code' in expected) {
      expect(result).toEqual({ ok: false, code: expected.code });
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.address.value).toBe(expected.value);
    const key =
      expected.key ??
      (result.address.kind === 'email' ? expected.value.toLowerCase() : expected.value);
    expect(result.address.key).toBe(key);
    expect(result.address.kind).toBe(input.includes('@') ? 'email' : 'phone');
  });
});

describe('parseEmail', () => {
  it('gives addresses differing only in case the same key but keeps each as typed', () => {
    const typed = ['alice@example.org', 'ALICE@EXAMPLE.ORG', 'Alice@Example.Org'].map((input) =>
      parseEmail(input)
    );
    const keys = typed.map((result) => (result.ok ? result.address.key : result.code));
    expect(new Set(keys)).toEqual(new Set(['alice@example.org']));
    expect(typed.map((result) => result.ok && result.address.value)).toEqual([
      'alice@example.org',
      'ALICE@example.org',
      'Alice@example.org'
    ]);
  });

  it('keeps plus tags distinct', () => {
    const plain = parseEmail('alice@example.org');
    const tagged = parseEmail('alice+work@example.org');
    expect(plain.ok && tagged.ok && plain.address.key !== tagged.address.key).toBe(true);
  });

  it('gives a Unicode domain and its punycode the same key', () => {
    const unicode = parseEmail('josé@exämple.org');
    const ascii = parseEmail('JOSÉ@xn--exmple-cua.org');
    expect(unicode.ok && ascii.ok && unicode.address.key === ascii.address.key).toBe(true);
  });

  it('refuses input without @', () => {
    expect(parseEmail('alice.example.org')).toEqual({ ok: false, code: 'invalid_email' });
    expect(parseEmail('   ')).toEqual({ ok: false, code: 'empty' });
  });
});

describe('parsePhone', () => {
  it('exposes country and calling code', () => {
    expect(parsePhone('06 12 34 56 78', 'FR')).toEqual({
      ok: true,
      address: {
        kind: 'phone',
        value: '+33612345678',
        key: '+33612345678',
        country: 'FR',
        callingCode: '33'
      }
    });
    const us = parsePhone('(212) 456-7890', 'US');
    expect(us.ok && [us.address.country, us.address.callingCode]).toEqual(['US', '1']);
    // A number typed internationally belongs to its own country, not the default region.
    const gb = parsePhone('+44 20 7946 0018', 'FR');
    expect(gb.ok && [gb.address.country, gb.address.callingCode]).toEqual(['GB', '44']);
  });

  it('leaves the country undefined for non-geographic numbers', () => {
    const result = parsePhone('+800 1234 5678', 'FR');
    expect(result.ok && result.address).toEqual({
      kind: 'phone',
      value: '+80012345678',
      key: '+80012345678',
      country: undefined,
      callingCode: '800'
    });
  });
});

describe('emailDomain', () => {
  it('returns the ASCII lowercase domain', () => {
    const result = parseEmail('José@Exämple.ORG');
    expect(result.ok && emailDomain(result.address)).toBe('xn--exmple-cua.org');
  });
});

describe('isRegionCode', () => {
  it.each([
    ['FR', true],
    ['US', true],
    ['GB', true],
    ['DE', true],
    ['fr', false],
    ['ZZ', false],
    ['UK', false],
    ['001', false],
    ['', false]
  ])('%j → %s', (code, expected) => {
    expect(isRegionCode(code)).toBe(expected);
  });
});

describe('maskAddress', () => {
  const email = (value: string): EmailAddress => ({
    kind: 'email',
    value,
    key: value.toLowerCase()
  });
  const phone = (input: string, region: string): PhoneAddress => {
    const result = parsePhone(input, region);
    if (!result.ok) throw new Error(result.code);
    return result.address;
  };

  it('masks emails with a fixed-length mask', () => {
    expect(maskAddress(email('alice@example.org'))).toBe('a••••@example.org');
    expect(maskAddress(email('a@example.org'))).toBe('a••••@example.org');
    expect(maskAddress(email('élodie@xn--exmple-cua.org'))).toBe('é••••@xn--exmple-cua.org');
  });

  it('masks phones keeping the calling code, first and last two digits', () => {
    expect(maskAddress(phone('06 12 34 56 78', 'FR'))).toBe('+33 6 •• •• •• 78');
    expect(maskAddress(phone('(212) 456-7890', 'US'))).toBe('+1 2•• ••• ••90');
    expect(maskAddress(phone('020 7946 0018', 'GB'))).toBe('+44 2• •••• ••18');
  });

  it('still masks a phone value it cannot format', () => {
    const odd: PhoneAddress = {
      kind: 'phone',
      value: '+99912345',
      key: '+99912345',
      country: undefined,
      callingCode: '999'
    };
    expect(maskAddress(odd)).toBe('+999 1••45');
  });
});
