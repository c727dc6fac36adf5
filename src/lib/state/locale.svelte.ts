// Which language the UI speaks: the user's choice if any, else the device's language.
import type { Locale } from '$lib/api/types';

const CHOICE_KEY = 'parley.locale';
// Set while a choice made offline has not reached the account yet.
const UNSYNCED_KEY = 'parley.locale.unsynced';

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'fr';
}

function fromLanguages(languages: readonly string[]): Locale {
  // Only the first preference counts: a French speaker who lists English second still gets French,
  // an English speaker who lists French second still gets English.
  return languages[0]?.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

function deviceLocale(): Locale {
  const languages = navigator.languages.length ? navigator.languages : [navigator.language];
  return fromLanguages(languages);
}

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // Storage disabled: the choice lasts for this page only.
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage disabled: nothing to persist to.
  }
}

class LocaleState {
  /** `null` = Automatic. */
  choice = $state<Locale | null>(null);
  device = $state<Locale>('en');
  /** The choice still has to be sent to the account (it was made offline). */
  unsynced = $state(false);
  current: Locale = $derived(this.choice ?? this.device);

  constructor() {
    const stored = read(CHOICE_KEY);
    this.choice = isLocale(stored) ? stored : null;
    this.unsynced = read(UNSYNCED_KEY) === '1';
    this.device = deviceLocale();
    addEventListener('languagechange', () => (this.device = deviceLocale()));
  }

  /** The user picked a language on this device. */
  choose(choice: Locale | null, { synced }: { synced: boolean }): void {
    this.choice = choice;
    write(CHOICE_KEY, choice);
    this.markSynced(synced);
  }

  /** The account's choice (from the server) wins unless this device holds a newer, unsent one. */
  adopt(accountChoice: Locale | null): void {
    if (this.unsynced) return;
    this.choice = accountChoice;
    write(CHOICE_KEY, accountChoice);
  }

  markSynced(synced: boolean): void {
    this.unsynced = !synced;
    write(UNSYNCED_KEY, synced ? null : '1');
  }

  /** Sign-out: the next person on this device starts from the device language. */
  reset(): void {
    this.choose(null, { synced: true });
  }
}

export const locale = new LocaleState();
