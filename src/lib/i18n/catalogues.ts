// The messages in use, per language: the main catalogue every screen may show, and the admin
// page's merged in when that page loads (its ~140 messages per language stay out of the rest).
import type { Locale } from '$lib/api/types';
import { en, type MessageKey } from './en';
import { fr } from './fr';

export const catalogues: Record<Locale, Partial<Record<MessageKey, string>>> = {
  en: { ...en },
  fr: { ...fr }
};

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
