import { describe, expect, it } from 'vitest';
import { characterCount } from './limits.ts';

describe('characterCount', () => {
  it('counts code points: an emoji or a letter outside the BMP is one character', () => {
    expect(characterCount('')).toBe(0);
    expect(characterCount('Chloé')).toBe(5);
    expect(characterCount('🎉'.repeat(41))).toBe(41);
    expect(characterCount('𝒜b')).toBe(2);
  });
});
