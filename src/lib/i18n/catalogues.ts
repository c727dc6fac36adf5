// The messages in use, per language: the main catalogue every screen may show, and the admin
// page's merged in when that page loads (its ~140 messages per language stay out of the rest).
import type { Locale } from '$lib/api/types';
import { en, type MessageKey } from './en';
import { fr } from './fr';

export const catalogues: Record<Locale, Partial<Record<MessageKey, string>>> = {
  en: { ...en },
  fr: { ...fr }
};

export type Params = Record<string, string | number>;

/**
 * A message in `language` with its `{name}` parameters filled in. An admin message read before
 * its page loaded them shows its key rather than failing.
 */
export function format(language: Locale, key: MessageKey, params?: Params): string {
  const text = catalogues[language][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole
  );
}

/** Whether `key` is a message loaded now (English is the reference for every language). */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(catalogues.en, key);
}

let admin: Promise<void> | null = null;

/** Merges the admin page's messages in, both languages at once (the language may change there). */
export function loadAdminMessages(): Promise<void> {
  admin ??= Promise.all([import('./admin.en'), import('./admin.fr')]).then(
    ([{ adminEn }, { adminFr }]) => {
      Object.assign(catalogues.en, adminEn);
      Object.assign(catalogues.fr, adminFr);
    },
    (error: unknown) => {
      admin = null; // A failed fetch of the chunk: the next visit tries again.
      throw error;
    }
  );
  return admin;
}
