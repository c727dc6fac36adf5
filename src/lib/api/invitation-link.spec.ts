import { describe, expect, it } from 'vitest';
import { invitationToken } from './invitation-link';

describe('invitation links', () => {
  const token = 'Zm9vYmFyYmF6cXV4LXRva2VuX3ZhbHVl';

  it('reads the token from the fragment', () => {
    expect(invitationToken(`#token=${token}`)).toBe(token);
    expect(invitationToken(`token=${token}&utm=x`)).toBe(token);
  });

  it('refuses a missing, truncated or mangled token', () => {
    expect(invitationToken('')).toBeNull();
    expect(invitationToken('#token=')).toBeNull();
    expect(invitationToken('#token=abc')).toBeNull();
    expect(invitationToken(`#token=${token}<script>`)).toBeNull();
  });
});
