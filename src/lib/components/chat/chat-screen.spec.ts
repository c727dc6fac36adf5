import { describe, expect, it } from 'vitest';
import type { LocalChat, LocalMessage } from '$lib/db';
import type { ChatMember, RequestState } from '$common/protocol';
import {
  chatSubtitle,
  externalBanner,
  firstUnreadSeq,
  latestSeq,
  otherMember,
  outgoingRequest,
  seenBy
} from './chat-screen';
import { emptyChat } from '$lib/sync/chat-view';

function member(userId: string, organization: string | null, external = false): ChatMember {
  return { userId, name: userId.toUpperCase(), organization, external, joinedAt: '2026-01-01' };
}

function chat(fields: Partial<LocalChat>): LocalChat {
  return { ...emptyChat('c1'), kind: 'direct', createdBy: 'ann', ...fields };
}

function sent(status: 'sent' | 'revoked', expiresAt: string): RequestState {
  return {
    role: 'sender',
    state: 'pending',
    address: 'sam@example.org',
    cap: 10,
    invitation: { status, channel: 'email', sentAt: '2026-03-01T00:00:00Z', expiresAt }
  };
}

const ann = { id: 'ann', organization: 'Acme' };
const pat = { id: 'pat', organization: null };
const NOW = Date.parse('2026-03-10T00:00:00Z');

describe('outgoingRequest', () => {
  it('is the request this person sent while it is pending, else null', () => {
    const pending = sent('sent', '2026-03-15T00:00:00Z');
    expect(outgoingRequest(chat({ request: pending }))).toBe(pending);
    expect(outgoingRequest(chat({ request: { ...pending, state: 'accepted' } }))).toBeNull();
    const received: RequestState = { role: 'recipient', state: 'pending', address: 'a@b.c' };
    expect(outgoingRequest(chat({ request: received }))).toBeNull();
    expect(outgoingRequest(chat({}))).toBeNull();
  });
});

describe('otherMember', () => {
  it('is the first member who is not the viewer', () => {
    const members = [member('ann', 'Acme'), member('pat', null, true)];
    expect(otherMember(chat({ members }), ann)?.userId).toBe('pat');
    expect(otherMember(chat({ members }), null)?.userId).toBe('ann');
  });
});

describe('chatSubtitle', () => {
  it('tells the sender of a pending request where the invitation stands', () => {
    const live = chat({ request: sent('sent', '2026-03-15T00:00:00Z') });
    expect(chatSubtitle(live, ann, NOW)).toEqual({
      invitation: 'sent',
      expiresAt: '2026-03-15T00:00:00Z'
    });
    const old = chat({ request: sent('sent', '2026-03-05T00:00:00Z') });
    expect(chatSubtitle(old, ann, NOW)).toMatchObject({ invitation: 'expired' });
    const withdrawn = chat({ request: sent('revoked', '2026-03-05T00:00:00Z') });
    expect(chatSubtitle(withdrawn, ann, NOW)).toMatchObject({ invitation: 'revoked' });
  });

  it('counts a group’s members', () => {
    const members = [member('ann', 'Acme'), member('bob', 'Acme'), member('pat', null, true)];
    expect(chatSubtitle(chat({ kind: 'group', members }), ann)).toEqual({ members: 3 });
  });

  it('says where an external person comes from, and nothing for a colleague', () => {
    const outside = chat({ members: [member('ann', 'Acme'), member('pat', null, true)] });
    expect(chatSubtitle(outside, ann)).toEqual({ organization: null });
    const partner = chat({ members: [member('ann', 'Acme'), member('gil', 'Globex', true)] });
    expect(chatSubtitle(partner, ann)).toEqual({ organization: 'Globex' });
    const colleague = chat({ members: [member('ann', 'Acme'), member('bob', 'Acme')] });
    expect(chatSubtitle(colleague, ann)).toBeNull();
  });
});

describe('externalBanner', () => {
  const direct = chat({
    external: true,
    members: [member('ann', 'Acme'), member('gil', 'Globex', true)]
  });

  it('is absent in an internal chat and on a request waiting for an answer', () => {
    expect(externalBanner(chat({ members: direct.members }), ann, '')).toBeNull();
    const request: RequestState = { role: 'recipient', state: 'pending', address: 'a@b.c' };
    expect(externalBanner({ ...direct, request }, ann, 'a@b.c')).toBeNull();
  });

  it('names the address to the sender of a pending request', () => {
    const row = chat({ external: true, request: sent('sent', '2026-03-15T00:00:00Z') });
    expect(externalBanner(row, ann, 'sam@example.org')).toEqual({
      key: 'external.banner.direct',
      params: { name: 'sam@example.org' }
    });
  });

  it('names the other person to a managed member', () => {
    expect(externalBanner(direct, ann, '')).toEqual({
      key: 'external.banner.direct',
      params: { name: 'GIL' }
    });
  });

  it('tells a personal account the other person’s organization, if any', () => {
    const managed = chat({ external: true, members: [member('pat', null), member('ann', 'Acme')] });
    expect(externalBanner(managed, pat, '')).toEqual({
      key: 'external.banner.personal',
      params: { name: 'ANN', organization: 'Acme' }
    });
    const personal = chat({ external: true, members: [member('pat', null), member('sam', null)] });
    expect(externalBanner(personal, pat, '')).toEqual({
      key: 'external.banner.personalAccount',
      params: { name: 'SAM' }
    });
  });

  it('in a group, names the viewer’s organization, or says “others” to a personal account', () => {
    const group = chat({ ...direct, kind: 'group' });
    expect(externalBanner(group, ann, '')).toEqual({
      key: 'external.banner.group',
      params: { organization: 'Acme' }
    });
    expect(externalBanner(group, pat, '')).toEqual({ key: 'external.banner.others', params: {} });
  });
});

describe('latestSeq and firstUnreadSeq', () => {
  it('takes the highest delivered sequence, 0 with none', () => {
    expect(latestSeq([{ seq: 3 }, { seq: 7 }, { seq: null }, { seq: 5 }])).toBe(7);
    expect(latestSeq([{ seq: null }])).toBe(0);
  });

  it('puts “New messages” just after the read marker, only when something is unread', () => {
    expect(firstUnreadSeq({ unread: 2, readSeq: 4 })).toBe(5);
    expect(firstUnreadSeq({ unread: 0, readSeq: 4 })).toBeNull();
  });
});

describe('seenBy', () => {
  const members = [member('ann', 'Acme'), member('bob', 'Acme'), member('cy', 'Acme')];
  const messages: Pick<LocalMessage, 'id' | 'authorId' | 'seq'>[] = [
    { id: 'm1', authorId: 'ann', seq: 1 },
    { id: 'm2', authorId: 'bob', seq: 2 },
    { id: 'm3', authorId: 'ann', seq: 3 },
    { id: 'm4', authorId: 'ann', seq: null }
  ];

  it('names who read up to my latest delivered message', () => {
    const reads = { bob: 3, cy: 2, ann: 3 };
    expect(seenBy({ members, reads }, messages, 'ann')).toEqual({
      messageId: 'm3',
      readers: ['BOB']
    });
  });

  it('is null while nobody has, or before I wrote anything delivered', () => {
    expect(seenBy({ members, reads: { bob: 2 } }, messages, 'ann')).toBeNull();
    expect(seenBy({ members, reads: { ann: 3 } }, messages, 'cy')).toBeNull();
  });

  it('leaves out readers the device does not know by name', () => {
    expect(seenBy({ members, reads: { zed: 9 } }, messages, 'ann')).toBeNull();
  });
});
