import { describe, expect, it } from 'vitest';
import type { LocalChat } from '$lib/db';
import type { ChatMember, ReadOnlyReason } from '$common/protocol';
import { readOnlyText } from './read-only';

function member(userId: string, organization: string | null): ChatMember {
  return { userId, name: userId, organization, external: false, joinedAt: '2026-01-01T00:00:00Z' };
}

function chat(
  members: ChatMember[],
  reason: ReadOnlyReason | null
): Pick<LocalChat, 'server' | 'members'> {
  return {
    members,
    server: { readOnly: reason ? { reason } : null } as LocalChat['server']
  };
}

describe('readOnlyText', () => {
  const acme = { id: 'ann', organization: 'Acme' };
  const personal = { id: 'pat', organization: null };

  it('is null while the chat is open, or before the server has answered', () => {
    expect(readOnlyText(chat([member('ann', 'Acme')], null), acme)).toBeNull();
    expect(readOnlyText({ members: [], server: null }, acme)).toBeNull();
  });

  it('tells a member that their own organization turned outbound chat off', () => {
    const row = chat([member('ann', 'Acme'), member('pat', null)], 'policy_outbound_disabled');
    expect(readOnlyText(row, acme)).toEqual({ key: 'readOnly.outbound.ours' });
  });

  it('names the organization to the outsider', () => {
    const row = chat([member('ann', 'Acme'), member('pat', null)], 'policy_outbound_disabled');
    expect(readOnlyText(row, personal)).toEqual({
      key: 'readOnly.outbound.theirs',
      params: { organization: 'Acme' }
    });
  });

  it('stays neutral when it cannot tell whose organization did it', () => {
    const twoOrganizations = chat(
      [member('ann', 'Acme'), member('bob', 'Globex')],
      'policy_outbound_disabled'
    );
    expect(readOnlyText(twoOrganizations, acme)).toEqual({ key: 'readOnly.neutral' });
    const group = chat(
      [member('pat', null), member('ann', 'Acme'), member('bob', 'Globex')],
      'policy_outbound_disabled'
    );
    expect(readOnlyText(group, personal)).toEqual({ key: 'readOnly.neutral' });
  });

  it('is neutral for a block by an organization', () => {
    const row = chat(
      [member('ann', 'Acme'), member('pat', null)],
      'policy_blocked_by_organization'
    );
    expect(readOnlyText(row, acme)).toEqual({ key: 'readOnly.neutral' });
  });
});
