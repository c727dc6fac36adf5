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
 * RFC 5322 `atext`, plus any non-ASCII character that is visible: RFC 6531 allows UTF-8 local
 * parts, but control, format (zero-width, bidi override) and separator characters are refused
 * because they make two addresses look identical while delivering to different mailboxes.
 */
const LOCAL_ATOM = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\p{ASCII}\p{C}\p{Z}])+$/u;

/** Only LDH or non-ASCII may reach the URL parser; `%`, `_`, `[`, `:` would be reinterpreted. */
const RAW_DOMAIN = /^(?:[A-Za-z0-9.-]|\P{ASCII})+$/u;
const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A letter TLD or an IDN TLD; an all-numeric one would make the host an IPv4 address. */
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

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
 * Canonicalises an email address. The local part keeps its case in `value` because a few mail
 * servers still treat it case-sensitively on delivery, while `key` is lowercased because users
 * do not; `+tags` are kept since stripping them is provider-specific and would merge mailboxes.
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
