/**
 * People's display names, shared by the browser client and the Node server: one rule for what
 * a name may be (PRODUCT.md, "People's names"), checked as the person types and again, as the
 * authority, at every write on the server. No `node:` imports and no human text: the UI maps
 * the codes to its catalogues, the server to its English error messages.
 *
 * A name is what an invitation shows to a stranger, so it may not carry a link, an address or
 * a number to call, nor characters that hide text or reorder the screen around it.
 */
import { MAX_NAME_LENGTH } from './limits.ts';

export type NameErrorCode =
  | 'name_empty'
  | 'name_too_long'
  /** Control, bidi, zero-width or other invisible formatting characters. */
  | 'name_invisible_characters'
  | 'name_contains_url'
  | 'name_contains_email'
  | 'name_contains_phone';

export type NameResult = { ok: true; name: string } | { ok: false; code: NameErrorCode };

/**
 * Characters that draw nothing or move other text: controls (Cc), formatting (Cf: bidi marks,
 * embeddings, overrides and isolates, zero-width space, word joiner, BOM, soft hyphen, tags),
 * line and paragraph separators, surrogates and private use, plus the letters and symbols that
 * render blank (Hangul fillers, Braille blank, combining grapheme joiner, Khmer inherent
 * vowels, Mongolian vowel separator). ZWJ and ZWNJ are handled apart: they are part of emoji
 * sequences and of Persian and Indic spelling.
 */
const INVISIBLE_SOURCE = String.raw`[\p{Cc}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u115F\u1160\u2800\u3164\uFFA0]|\u034F|\u17B4|\u17B5|\u180B|\u180C|\u180D|\u180F|(?!\u200C|\u200D)\p{Cf}`;
const INVISIBLE = new RegExp(INVISIBLE_SOURCE, 'u');
const INVISIBLE_ALL = new RegExp(INVISIBLE_SOURCE, 'gu');
const JOINER = /\u200C|\u200D/gu;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@.]{2,}/u;
const URL_SCHEME =
  /(?:^|[^\p{L}\p{N}])(?:[a-z][a-z0-9+.-]*:\/\/|(?:mailto|tel|sms|javascript|data):)/iu;
const WWW = /(?:^|[^\p{L}\p{N}])www\d?\./iu;
/** `host.tld`, capturing what follows so a path or port counts as a link whatever the TLD. */
const HOST =
  /(?:^|[^\p{L}\p{N}.@-])((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+)(\p{L}{2,63}|xn--[a-z0-9-]+)(?![\p{L}\p{N}])([/:?#]?)/giu;
/**
 * TLDs a link would use. A name such as "St.John" or "Dr.Ing" is not a link; "evil.com",
 * "bit.ly" or any two-letter country code after a label of three or more are.
 */
const COMMON_TLDS = new Set(
  'com net org info biz io co app dev xyz online site top click link live shop store club web page me tv cc ws su ru cn tk ml ga cf gq pw icu vip win bid loan work email support help login secure account bank pay gov edu mil int'.split(
    ' '
  )
);
/** At least seven digits, with the separators people type in numbers between them. */
const PHONE_RUN = /\p{Nd}(?:[\s().\-/\u2010-\u2015]*\p{Nd})+/gu;
const PHONE_DIGITS = 7;

/** Dots that browsers and mail clients read as a hostname's dot. */
const DOTS = /[\u3002\uFF0E\uFF61]/gu;

/**
 * Checks what someone typed as their name; on success `name` is the form to store: NFC,
 * every space character as one plain space, runs collapsed, trimmed.
 */
export function checkDisplayName(input: string): NameResult {
  const normalized = input.normalize('NFC');
  // Before trimming: `trim()` would silently drop a BOM or a line break at either end.
  if (INVISIBLE.test(normalized)) return { ok: false, code: 'name_invisible_characters' };
  const name = normalized.replace(/\p{Zs}+/gu, ' ').trim();
  if (name === '') return { ok: false, code: 'name_empty' };
  if (strayJoiner(name)) return { ok: false, code: 'name_invisible_characters' };
  if (!VISIBLE.test(name)) return { ok: false, code: 'name_empty' };
  if (Array.from(name).length > MAX_NAME_LENGTH) return { ok: false, code: 'name_too_long' };
  // Links are looked for in the compatibility form, so fullwidth `ｅｖｉｌ．ｃｏｍ` counts too.
  const folded = name.normalize('NFKC').replace(DOTS, '.');
  if (EMAIL.test(folded)) return { ok: false, code: 'name_contains_email' };
  if (containsUrl(folded)) return { ok: false, code: 'name_contains_url' };
  if (containsPhone(folded)) return { ok: false, code: 'name_contains_phone' };
  return { ok: true, name };
}

/**
 * A stored name made fit to show: rows written before the rule keep being readable, with what
 * could hide or reorder text removed and the length capped. A name that still breaks the rule
 * (a link, say) is shown as text only, never where a stranger would take it for Parley's words:
 * there `isDisplayName` decides.
 */
export function sanitizeDisplayName(stored: string): string {
  const cleaned = Array.from(
    stored
      .normalize('NFC')
      .replace(INVISIBLE_ALL, '')
      .replace(JOINER, '')
      .replace(/\p{Zs}+/gu, ' ')
      .trim()
  )
    .slice(0, MAX_NAME_LENGTH)
    .join('')
    .trim();
  return VISIBLE.test(cleaned) ? cleaned : '?';
}

export function isDisplayName(name: string): boolean {
  const result = checkDisplayName(name);
  return result.ok && result.name === name;
}

/** ZWJ and ZWNJ only join two visible characters; anywhere else they hide something. */
function strayJoiner(name: string): boolean {
  const chars = Array.from(name);
  return chars.some((char, i) => {
    if (char !== '\u200C' && char !== '\u200D') return false;
    const before = chars[i - 1];
    const after = chars[i + 1];
    const joins = (c: string | undefined) => c !== undefined && /[\p{L}\p{M}\p{S}\p{N}]/u.test(c);
    return !joins(before) || !joins(after);
  });
}

function containsUrl(text: string): boolean {
  if (URL_SCHEME.test(text) || WWW.test(text)) return true;
  for (const match of text.matchAll(HOST)) {
    const labels = (match[1] ?? '').slice(0, -1).split('.');
    const tld = (match[2] ?? '').toLowerCase();
    const after = match[3] ?? '';
    const first = labels[labels.length - 1] ?? '';
    if (after !== '' || tld.startsWith('xn--')) return true;
    // `a.b.example` is a host; `J.R.Smith` is initials.
    if (labels.length >= 2 && labels.every((label) => label.length >= 2)) return true;
    if (COMMON_TLDS.has(tld)) return true;
    if (tld.length === 2 && first.length >= 3) return true;
  }
  return false;
}

function containsPhone(text: string): boolean {
  for (const [run] of text.matchAll(PHONE_RUN)) {
    if ((run.match(/\p{Nd}/gu) ?? []).length >= PHONE_DIGITS) return true;
  }
  return false;
}
