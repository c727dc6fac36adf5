// t(): every user-visible string goes through here, in the current locale.
import { locale } from '$lib/state/locale.svelte';
import { catalogues, format, hasMessage, type Params } from './catalogues';
import type { MessageKey } from './en';
import { pluralKey, type PluralKey } from './plural';

export type { MessageKey } from './en';
export type { PluralKey } from './plural';
export { loadAdminMessages, type Params } from './catalogues';

/** Reactive: read in a template or $derived, it re-runs when the locale changes. */
export function t(key: MessageKey, params?: Params): string {
  return format(locale.current, key, params);
}

/** A translated sentence cut around its parameters, so that a screen can isolate each one. */
export function phrase(key: MessageKey, params: Params): { text: string; param: boolean }[] {
  const parts: { text: string; param: boolean }[] = [];
  let last = 0;
  const text = catalogues[locale.current][key] ?? key;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const name = match[1] ?? '';
    if (!(name in params)) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index), param: false });
    parts.push({ text: String(params[name]), param: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), param: false });
  return parts;
}

/** `t` for a sentence about `count` of something: "1 member", "3 members". */
export function tn(base: PluralKey, count: number, params?: Params): string {
  return t(pluralKey(locale.current, base, count), { ...params, count });
}

export const isMessageKey = hasMessage;

/** "in 5 minutes" / "dans 5 minutes", rounded up to the largest sensible unit. */
export function formatIn(seconds: number): string {
  const format = new Intl.RelativeTimeFormat(locale.current, { numeric: 'always' });
  if (seconds < 60) return format.format(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return format.format(Math.ceil(seconds / 60), 'minute');
  return format.format(Math.ceil(seconds / 3600), 'hour');
}

/** A region's name in the current language, e.g. `FR` → "France". */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(locale.current, { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}
