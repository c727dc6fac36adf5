/**
 * Email and phone address canonicalisation, shared by the browser client and the Node server.
 *
 * Both sides must agree byte for byte on the stored form and the lookup key: the client uses
 * this module to validate as the user types and to show what will be stored, the server uses
 * it as the authority before lookup, invitation and delivery. That is why it has no `node:`
 * imports (the WHATWG URL parser does IDNA in both environments) and no human-readable text
 * (the UI owns translated messages and maps the codes below).
 */
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type PhoneNumber
} from 'libphonenumber-js/max';

/**
 * Why an input was refused. Codes are stable identifiers for the UI's message catalogues and
 * for API error bodies; they are deliberately finer than "invalid" where the user can act on
 * the difference (remove quotes, add the country code, pick another number).
 */
export type AddressErrorCode =
  | 'empty'
  | 'invalid_email'
  /**
   * Well formed, but written with characters that pass for others: a Kelvin sign for K, a
   * fullwidth or long-s letter, a dotless ı, a stray combining mark, letters of two alphabets.
   * Such an address would be one mailbox on screen and another in delivery (docs/decisions.md).
   */
  | 'confusable_email'
  /** Local part over 64 octets or address over 254 octets: SMTP servers would bounce it. */
  | 'email_too_long'
  /** `"john doe"@example.org` is legal RFC 5322 but too rare and too error-prone to support. */
  | 'quoted_local_part'
  /** Not shaped like a phone number at all (letters, stray symbols, wrong length, bad prefix). */
  | 'invalid_phone'
  /** National format typed but no usable default region: the user must add `+<country code>`. */
  | 'missing_country_code'
  /** Has a plausible length but is not in any allocated range: likely a typo, never SMS it. */
  | 'phone_not_valid'
  | 'premium_rate_number'
  | 'shared_cost_number';

export type EmailAddress = { kind: 'email'; value: string; key: string };

export type PhoneAddress = {
  kind: 'phone';
  /** E.164, e.g. `+33612345678`. */
  value: string;
  /** Same as `value`: E.164 is already canonical, so one form serves lookup and delivery. */
  key: string;
  /** ISO region; `undefined` for non-geographic numbers (e.g. +800), which no allow list names. */
  country: string | undefined;
  /** Without `+`, e.g. `'33'`; rate limits are per calling code because regions share some. */
  callingCode: string;
};

export type Address = EmailAddress | PhoneAddress;

export type AddressResult<T> = { ok: true; address: T } | { ok: false; code: AddressErrorCode };

const fail = <T>(code: AddressErrorCode): AddressResult<T> => ({ ok: false, code });

// RFC 5321 limits, counted in octets (UTF-8 for internationalised local parts, RFC 6531).
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const MAX_DOMAIN_LENGTH = 253;

const utf8 = new TextEncoder();
const octets = (text: string): number => utf8.encode(text).length;

/**
 * RFC 5322 `atext`, plus non-ASCII letters, marks and digits (RFC 6531). Control, format
 * (zero-width, bidi override), separator, symbol and punctuation characters are refused: they
 * make two addresses look identical while delivering to different mailboxes.
 */
const LOCAL_ATOM =
  /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\p{ASCII}\P{L}]|[^\p{ASCII}\P{M}]|[^\p{ASCII}\P{N}])+$/u;

/** Only LDH, or non-ASCII letters, marks and digits, may reach the URL parser. */
const RAW_DOMAIN = /^(?:[A-Za-z0-9.-]|[^\p{ASCII}\P{L}]|[^\p{ASCII}\P{M}]|[^\p{ASCII}\P{N}])+$/u;
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A letter TLD or an IDN TLD; an all-numeric one would make the host an IPv4 address. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

// ---- Look-alikes (UTS #39 in a few rules, small enough for the client bundle) ----

/** A non-ASCII character standing for an ASCII one: Kelvin sign, fullwidth, long s, ligatures. */
function disguisesAscii(text: string): boolean {
  for (const char of text) {
    if (char.charCodeAt(0) > 0x7f && /[\p{ASCII}]/u.test(char.normalize('NFKC'))) return true;
  }
  return false;
}

/**
 * Latin letters that pass for an ASCII one with no mark to tell them apart: dotless ı and ȷ,
 * kra, the click letters that look like | and !, IPA and phonetic letters, small capitals.
 */
const LATIN_LOOKALIKE = /[\u0131\u0138\u0237\u01C0-\u01C3\u0250-\u02AF\u1D00-\u1DBF\uA730\uA731]/u;
/** Words written only with these letters read as Latin ones ('аре' for 'ape', 'оорѕ'). */
const CYRILLIC_LOOKALIKE = /^[асԁеһіјӏорԛѕԝхуъьҽпгѵѡ]+$/u;
const GREEK_LOOKALIKE = /^[αικνορτυχ]+$/u;

const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han'
].map((name) => ({ name, pattern: new RegExp(`\\p{Script=${name}}`, 'u') }));

/** Scripts whose letters all have precomposed forms: a combining mark left after NFC is a trick. */
const PRECOMPOSED = new Set(['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian']);

/** Scripts that are written together (UTS #39 "highly restrictive"): Japanese, Korean, Chinese. */
const MIXES = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Hangul'],
  ['Latin', 'Han', 'Bopomofo']
].map((names) => new Set(names));

/** The scripts of the letters and digits in `text`; undefined if one is in none we know. */
function scriptsOf(text: string): Set<string> | undefined {
  const found = new Set<string>();
  for (const char of text) {
    if (/[A-Za-z]/.test(char)) found.add('Latin');
    else if (char.charCodeAt(0) > 0x7f && /[\p{L}\p{N}]/u.test(char)) {
      if (/[\p{Script=Common}\p{Script=Inherited}]/u.test(char)) continue;
      const script = SCRIPTS.find(({ pattern }) => pattern.test(char));
      if (!script) return undefined;
      found.add(script.name);
    }
  }
  return found;
}

/**
 * Whether `text` (NFC, a local part or one Unicode domain label) reads as one thing only:
 * compatibility-stable, no look-alike Latin letter, one script (or a mix used together),
 * no combining mark left over in a script that does not need them, and not a whole word of
 * Cyrillic or Greek letters that read as Latin.
 */
function unambiguous(text: string): boolean {
  if (text.normalize('NFKC') !== text || LATIN_LOOKALIKE.test(text)) return false;
  const scripts = scriptsOf(text);
  if (scripts === undefined) return false;
  if (scripts.size > 1 && !MIXES.some((mix) => [...scripts].every((name) => mix.has(name)))) {
    return false;
  }
  if (/\p{M}/u.test(text) && (scripts.size === 0 || [...scripts].some((s) => PRECOMPOSED.has(s)))) {
    return false;
  }
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (scripts.has('Cyrillic') && CYRILLIC_LOOKALIKE.test(letters)) return false;
  if (scripts.has('Greek') && GREEK_LOOKALIKE.test(letters)) return false;
  return true;
}

/** RFC 3492 decoding of one `xn--` label's tail; undefined if it is not valid punycode. */
function decodePunycode(input: string): string | undefined {
  const base = 36;
  const adapt = (delta: number, points: number, first: boolean): number => {
    let d = first ? Math.floor(delta / 700) : delta >> 1;
    d += Math.floor(d / points);
    let k = 0;
    for (; d > 455; k += base) d = Math.floor(d / 35);
    return k + Math.floor((36 * d) / (d + 38));
  };
  const delimiter = input.lastIndexOf('-');
  const output = delimiter > 0 ? [...input.slice(0, delimiter)].map((c) => c.charCodeAt(0)) : [];
  let n = 128;
  let bias = 72;
  let i = 0;
  for (let index = delimiter > 0 ? delimiter + 1 : 0; index < input.length;) {
    const old = i;
    for (let w = 1, k = base; ; k += base) {
      const c = input.charCodeAt(index++);
      const digit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : base;
      if (Number.isNaN(c) || digit >= base) return undefined;
      i += digit * w;
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) break;
      w *= base - t;
    }
    bias = adapt(i - old, output.length + 1, old === 0);
    n += Math.floor(i / (output.length + 1));
    i %= output.length + 1;
    if (n > 0x10ffff) return undefined;
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}

/** The Unicode form of an ASCII domain label, as a mail client would show it. */
function unicodeLabel(label: string): string | undefined {
  return label.startsWith('xn--') ? decodePunycode(label.slice(4)) : label;
}

/**
 * IDNA-maps the domain with the WHATWG URL parser so that the browser and Node produce the same
 * ASCII form without shipping a punycode library. Returns `undefined` for anything that is not
 * a plain DNS host name (IP literals, empty labels, trailing dot, bad punycode).
 */
function asciiDomain(domain: string): string | undefined {
  if (!RAW_DOMAIN.test(domain)) return undefined;
  let host: string;
  try {
    host = new URL(`http://${domain}`).hostname;
  } catch {
    return undefined;
  }
  if (host.length === 0 || host.length > MAX_DOMAIN_LENGTH) return undefined;
  const labels = host.split('.');
  const tld = labels[labels.length - 1];
  if (labels.length < 2 || tld === undefined || !TLD.test(tld)) return undefined;
  return labels.every((label) => LDH_LABEL.test(label)) ? host : undefined;
}

/**
 * Canonicalises an email address. The one canonical form is what is looked up and what is
 * delivered to: NFC, the domain in ASCII, and nothing that passes for another character
 * (`confusable_email`), so that `key` differs from `value` only by case. The local part keeps
 * its case in `value` because a few mail servers still treat it case-sensitively on delivery,
 * while `key` is lowercased because users do not; `+tags` are kept since stripping them is
 * provider-specific and would merge mailboxes.
 */
export function parseEmail(input: string): AddressResult<EmailAddress> {
  const text = input.trim();
  if (text.length === 0) return fail('empty');
  // Checked before splitting on '@' because a quoted local part may itself contain '@'.
  if (text.startsWith('"')) return fail('quoted_local_part');
  if (/\s/u.test(text)) return fail('invalid_email');

  const parts = text.split('@');
  if (parts.length !== 2) return fail('invalid_email');
  const [rawLocal = '', rawDomain = ''] = parts;
  if (rawLocal.length === 0 || rawDomain.length === 0) return fail('invalid_email');

  // NFC so that 'é' typed precomposed or decomposed yields one key, one mailbox.
  const local = rawLocal.normalize('NFC');
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return fail('invalid_email');

  const domain = asciiDomain(rawDomain);
  if (domain === undefined) return fail('invalid_email');

  // Checked on the raw text too: NFC itself turns the Kelvin sign into K.
  if (disguisesAscii(rawLocal) || disguisesAscii(rawDomain) || !unambiguous(local)) {
    return fail('confusable_email');
  }
  const unicodeLabels = domain.split('.').map(unicodeLabel);
  if (!unicodeLabels.every((label) => label !== undefined && unambiguous(label))) {
    return fail('confusable_email');
  }

  const value = `${local}@${domain}`;
  if (octets(local) > MAX_LOCAL_OCTETS || octets(value) > MAX_ADDRESS_OCTETS) {
    return fail('email_too_long');
  }
  return { ok: true, address: { kind: 'email', value, key: `${local.toLowerCase()}@${domain}` } };
}

/** Digits libphonenumber understands besides ASCII; other scripts' digits are refused. */
const FOREIGN_DIGITS = [0xff10, 0x0660, 0x06f0];

function toAsciiDigits(text: string): string {
  return text.replace(/[\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9]/g, (char) => {
    const code = char.charCodeAt(0);
    const zero = FOREIGN_DIGITS.find((base) => code >= base && code <= base + 9) ?? code;
    return String(code - zero);
  });
}

/**
 * Digits and the punctuation people type in phone numbers, with an optional leading '+'.
 * Anything else is refused up front because libphonenumber is lenient: it maps vanity letters
 * to digits, reads "x12"/"ext." as an extension and drops trailing text, any of which could
 * silently send an SMS to a number other than the one the user meant.
 */
const PHONE_SHAPE = /^\+?[0-9\s.\-\u2010-\u2015\u2212()[\]/]+$/u;
const MAX_PHONE_INPUT = 64;

/**
 * Canonicalises a phone number to E.164. `region` is the default for national formats and for
 * the international prefix ('00' in FR, '011' in US); callers pass the user's or organisation's
 * setting. Unknown or non-canonical region codes are ignored rather than guessed at.
 */
export function parsePhone(input: string, region: string | undefined): AddressResult<PhoneAddress> {
  const text = toAsciiDigits(input.trim().replace(/^\uFF0B/, '+'));
  if (text.length === 0) return fail('empty');
  if (text.length > MAX_PHONE_INPUT || !PHONE_SHAPE.test(text)) return fail('invalid_phone');
  // libphonenumber does not know every Unicode space (e.g. the French narrow no-break space).
  const plain = text.replace(/\s+/gu, ' ').replace(/[\u2010-\u2015\u2212]/g, '-');

  const defaultCountry = region !== undefined && isSupportedCountry(region) ? region : undefined;
  if (defaultCountry === undefined && !text.startsWith('+')) return fail('missing_country_code');

  let phone: PhoneNumber | undefined;
  try {
    phone = parsePhoneNumberFromString(plain, { defaultCountry, extract: false });
  } catch {
    phone = undefined;
  }
  if (phone === undefined || phone.ext !== undefined || !phone.isPossible()) {
    return fail('invalid_phone');
  }
  if (!phone.isValid()) return fail('phone_not_valid');

  const type = phone.getType();
  if (type === 'PREMIUM_RATE') return fail('premium_rate_number');
  if (type === 'SHARED_COST') return fail('shared_cost_number');

  return {
    ok: true,
    address: {
      kind: 'phone',
      value: phone.number,
      key: phone.number,
      country: phone.country,
      callingCode: phone.countryCallingCode
    }
  };
}

/**
 * One input box accepts both kinds. '@' never appears in a phone number, and everything else
 * is treated as a phone so that a mistyped email without '@' gets a phone error, not a pass.
 */
export function parseAddress(input: string, region: string | undefined): AddressResult<Address> {
  if (input.trim().length === 0) return fail('empty');
  return input.includes('@') ? parseEmail(input) : parsePhone(input, region);
}

/** For per-domain block lists: the ASCII form, so 'exämple.org' and its punycode match. */
export function emailDomain(address: EmailAddress): string {
  return address.value.slice(address.value.lastIndexOf('@') + 1);
}

/** Validates region settings against what libphonenumber can actually use as a default. */
export function isRegionCode(code: string): boolean {
  return isSupportedCountry(code);
}

const BULLET = '\u2022';

/**
 * Enough of the address to recognise it ("a••••@example.org", "+33 6 •• •• •• 78") without
 * disclosing it to someone looking over the shoulder. The email mask has a fixed length so
 * it does not reveal the length of the local part.
 */
export function maskAddress(address: Address): string {
  if (address.kind === 'email') {
    const at = address.value.lastIndexOf('@');
    const first = Array.from(address.value.slice(0, at))[0] ?? '';
    return `${first}${BULLET.repeat(4)}${address.value.slice(at)}`;
  }
  const prefix = `+${address.callingCode}`;
  let national = address.value.slice(prefix.length);
  try {
    const formatted = parsePhoneNumberFromString(address.value)?.formatInternational();
    if (formatted?.startsWith(`${prefix} `)) national = formatted.slice(prefix.length + 1);
  } catch {
    // Keep the unformatted digits: a mask is still better than nothing.
  }
  const digits = national.replace(/\D/g, '').length;
  const keepFirst = digits > 4 ? 1 : 0;
  const keepLast = digits > 4 ? 2 : 1;
  let index = 0;
  const masked = national.replace(/\d/g, (digit) => {
    const position = index++;
    return position < keepFirst || position >= digits - keepLast ? digit : BULLET;
  });
  return `${prefix} ${masked}`;
}
