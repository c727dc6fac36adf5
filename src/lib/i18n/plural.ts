// Plural forms in the catalogues: a sentence about a count is written once per CLDR category
// (`chats.members.one`, `chats.members.other`), and Intl.PluralRules picks one.
import type { Locale } from '$lib/api/types';
import { hasMessage } from './catalogues';
import type { MessageKey } from './en';

/** The keys written as plural forms: `base.one`, `base.other`, … (CLDR categories). */
export type PluralKey = {
  [K in MessageKey]: K extends `${infer Base}.other` ? Base : never;
}[MessageKey];

/**
 * The catalogue key for `count` of `base` in `language`: its CLDR plural category (French says
 * "0 membre" and "1 membre", English "0 members"), else `other`.
 */
export function pluralKey(language: Locale, base: PluralKey, count: number): MessageKey {
  const key = `${base}.${new Intl.PluralRules(language).select(count)}`;
  return hasMessage(key) ? key : `${base}.other`;
}
