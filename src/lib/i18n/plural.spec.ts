import { describe, expect, it } from 'vitest';
import { adminEn } from './admin.en';
import { adminFr } from './admin.fr';
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
