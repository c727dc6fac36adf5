import { describe, expect, it } from 'vitest';
import {
  checkDisplayName,
  isDisplayName,
  sanitizeDisplayName,
  type NameErrorCode
} from './display-name.ts';
import { MAX_NAME_LENGTH } from './limits.ts';

const refused = (input: string) => {
  const result = checkDisplayName(input);
  return result.ok ? null : result.code;
};

describe('checkDisplayName', () => {
  it.each([
    ['Alice Martin', 'Alice Martin'],
    ['  Chloé   Durand ', 'Chloé Durand'],
    ['Cho\u0301e', 'Chóe'],
    ['Jean\u00A0Dupont', 'Jean Dupont'],
    ['J.R.R. Tolkien', 'J.R.R. Tolkien'],
    ['St.John Smith', 'St.John Smith'],
    ['Dr.Ing Weber', 'Dr.Ing Weber'],
    ['Louis XIV', 'Louis XIV'],
    ['Agent 007', 'Agent 007'],
    ['Class of 2024', 'Class of 2024'],
    ['محمد رضا', 'محمد رضا'],
    ['می\u200Cخواهم', 'می\u200Cخواهم'],
    ['Sam 👨\u200D👩\u200D👧', 'Sam 👨\u200D👩\u200D👧'],
    ['Ana ❤️', 'Ana ❤️'],
    ['李小龍', '李小龍'],
    ['O’Brien-Smith', 'O’Brien-Smith'],
    ['Sam @ Contoso', 'Sam @ Contoso']
  ])('accepts %j as %j', (input, stored) => {
    expect(checkDisplayName(input)).toEqual({ ok: true, name: stored });
  });

  it.each<[string, NameErrorCode]>([
    ['', 'name_empty'],
    ['   ', 'name_empty'],
    ['\u0301\u0301', 'name_empty'],
    ['a'.repeat(MAX_NAME_LENGTH + 1), 'name_too_long'],
    ['Sam \u202Eanivir', 'name_invisible_characters'],
    ['Sam \u202Danivir', 'name_invisible_characters'],
    ['Sam \u2066x\u2069', 'name_invisible_characters'],
    ['Sam\u200E', 'name_invisible_characters'],
    ['Sam\u200F', 'name_invisible_characters'],
    ['Sam\u061C', 'name_invisible_characters'],
    ['Ali\u200Bce', 'name_invisible_characters'],
    ['Alice\u2060', 'name_invisible_characters'],
    ['\uFEFFAlice', 'name_invisible_characters'],
    ['Al\u00ADice', 'name_invisible_characters'],
    ['Alice\nSupport', 'name_invisible_characters'],
    ['Alice\tMartin', 'name_invisible_characters'],
    ['Alice\u0000', 'name_invisible_characters'],
    ['Alice\u2028Martin', 'name_invisible_characters'],
    ['\u3164', 'name_invisible_characters'],
    ['Alice \u2800', 'name_invisible_characters'],
    ['\u200DAlice', 'name_invisible_characters'],
    ['Alice \u200C', 'name_invisible_characters'],
    ['Password reset: visit https://evil.example', 'name_contains_url'],
    ['see HTTP://EVIL.EXAMPLE', 'name_contains_url'],
    ['www.evil.example', 'name_contains_url'],
    ['Support evil.com', 'name_contains_url'],
    ['Support evil.zz/reset', 'name_contains_url'],
    ['bit.ly', 'name_contains_url'],
    ['login.contoso-support.example', 'name_contains_url'],
    ['evil。com', 'name_contains_url'],
    ['ｅｖｉｌ．ｃｏｍ', 'name_contains_url'],
    ['evil.fr', 'name_contains_url'],
    ['javascript:alert(1)', 'name_contains_url'],
    ['xn--80ak6aa92e.xn--p1ai', 'name_contains_url'],
    ['write to help@evil.example', 'name_contains_email'],
    ['ｈｅｌｐ＠ｅｖｉｌ．ｃｏｍ', 'name_contains_email'],
    ['Call +33 6 12 34 56 78', 'name_contains_phone'],
    ['Support 06.12.34.56.78', 'name_contains_phone'],
    ['Bank (800) 555-0199', 'name_contains_phone'],
    ['Support ０６１２３４５６７８', 'name_contains_phone'],
    ['Support ٠٦١٢٣٤٥٦٧٨', 'name_contains_phone']
  ])('refuses %j with %s', (input, code) => {
    expect(refused(input)).toBe(code);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(refused('😀'.repeat(MAX_NAME_LENGTH))).toBeNull();
    expect(refused('😀'.repeat(MAX_NAME_LENGTH + 1))).toBe('name_too_long');
  });
});

describe('sanitizeDisplayName', () => {
  it('keeps a valid name as it is', () => {
    expect(sanitizeDisplayName('Alice Martin')).toBe('Alice Martin');
  });

  it('removes what hides or reorders text from a name stored before the rule', () => {
    expect(sanitizeDisplayName('Sam \u202Eanivir\u202C')).toBe('Sam anivir');
    expect(sanitizeDisplayName('Ali\u200Bce\nMartin')).toBe('AliceMartin');
    expect(sanitizeDisplayName('x'.repeat(200))).toBe('x'.repeat(MAX_NAME_LENGTH));
    expect(sanitizeDisplayName('\u200B\u3164')).toBe('?');
  });

  it('tells a stored name that breaks the rule from one that keeps it', () => {
    expect(isDisplayName('Alice Martin')).toBe(true);
    expect(isDisplayName('Visit evil.com')).toBe(false);
    expect(isDisplayName(' Alice')).toBe(false);
  });
});
