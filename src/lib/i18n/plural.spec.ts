import { describe, expect, it } from 'vitest';
import { adminEn } from './admin.en';
import { adminFr } from './admin.fr';
import { format } from './catalogues';
import { en } from './en';
import { fr } from './fr';
import { pluralKey } from './plural';

describe('plural forms', () => {
  it('picks the CLDR category of each language: French counts 0 as one, English as other', () => {
    expect(pluralKey('en', 'chats.members', 1)).toBe('chats.members.one');
    expect(pluralKey('en', 'chats.members', 0)).toBe('chats.members.other');
    expect(pluralKey('en', 'chats.members', 3)).toBe('chats.members.other');
    expect(pluralKey('fr', 'chats.members', 0)).toBe('chats.members.one');
    expect(pluralKey('fr', 'chats.members', 1)).toBe('chats.members.one');
    expect(pluralKey('fr', 'chats.members', 2)).toBe('chats.members.other');
  });

  it('says "message" for a request cap of 1, in both languages', () => {
    const capNote = (language: 'en' | 'fr', cap: number) =>
      format(language, pluralKey(language, 'request.cap', cap), {
        used: 0,
        count: cap,
        address: 'B'
      });
    const reached = (language: 'en' | 'fr', cap: number) =>
      format(language, pluralKey(language, 'request.capReached', cap), {
        count: cap,
        address: 'B'
      });
    expect(capNote('en', 1)).toBe('0 of 1 message before B accepts');
    expect(capNote('en', 10)).toBe('0 of 10 messages before B accepts');
    expect(reached('en', 1)).toMatch(/^You’ve sent 1 message\. /);
    expect(capNote('fr', 1)).toBe('0 sur 1\u00a0message avant que B accepte');
    expect(reached('fr', 1)).toMatch(/^Vous avez envoyé 1\u00a0message\. /);
  });

  it('has an other form for every plural key in every catalogue', () => {
    for (const catalogue of [en, fr, adminEn, adminFr]) {
      for (const key of Object.keys(catalogue).filter((k) =>
        /\.(one|few|many|two|zero)$/.test(k)
      )) {
        expect(catalogue).toHaveProperty([key.replace(/\.\w+$/, '.other')]);
      }
    }
  });
});
