import { describe, expect, it } from 'vitest';
import { linkify } from './links';

describe('linkify', () => {
  it('makes http(s) and www links clickable and leaves the rest as text', () => {
    expect(linkify('See https://example.org/a?b=1, or www.contoso.test.')).toEqual([
      { text: 'See ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: ', or ' },
      { text: 'www.contoso.test', href: 'https://www.contoso.test' },
      { text: '.' }
    ]);
  });

  it('never turns markup or other schemes into links', () => {
    expect(linkify('<a href="javascript:alert(1)">x</a> javascript:alert(1)')).toEqual([
      { text: '<a href="javascript:alert(1)">x</a> javascript:alert(1)' }
    ]);
  });
});
