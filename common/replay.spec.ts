import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REQUEST_CAP,
  INVITATION_LIFETIME_MS,
  type ChatMember,
  type ChatState,
  type MutationType,
  type RequestState
} from './protocol.ts';
import { replay, type QueuedMutation, type ReplayedChat } from './replay.ts';

const ME = 'u-alice';
const AT = '2026-03-01T10:00:00.000Z';
const EXPIRES = new Date(Date.parse(AT) + INVITATION_LIFETIME_MS).toISOString();

function member(userId: string, external = false): ChatMember {
  return {
    userId,
    name: userId,
    organization: external ? null : 'Contoso',
    external,
    joinedAt: '2026-01-01T00:00:00.000Z'
  };
}

/** A chat the device knows only by id (what the client starts from before a create). */
function blank(overrides: Partial<ReplayedChat> = {}): ReplayedChat {
  return {
    kind: 'group',
    name: null,
    createdBy: '',
    createdAt: new Date(0).toISOString(),
    members: [],
    active: true,
    external: false,
    request: null,
    lastSeq: 0,
    readSeq: 0,
    mute: null,
    server: null,
    ...overrides
  };
}

function serverChat(overrides: Partial<ChatState> = {}): ChatState {
  return {
    id: 'chat-1',
    kind: 'group',
    name: 'Team',
    createdBy: 'u-bruno',
    createdAt: '2026-01-01T00:00:00.000Z',
    lastSeq: 5,
    readSeq: 2,
    members: [member(ME), member('u-bruno')],
    active: true,
    external: false,
    request: null,
    ...overrides
  };
}

/** A chat the server knows, as the device last stored it. */
function synced(overrides: Partial<ChatState> = {}): ReplayedChat {
  const server = serverChat(overrides);
  return { ...blank(), ...server, server };
}

type Received = Extract<RequestState, { role: 'recipient' }>;
type Sent = Extract<RequestState, { role: 'sender' }>;

const incoming = (state: Received['state'] = 'pending'): Received => ({
  role: 'recipient',
  state,
  address: 'alice@contoso.test'
});

const outgoing = (state: Sent['state'] = 'pending'): Sent => ({
  role: 'sender',
  state,
  address: 'sam@example.org',
  cap: 3,
  invitation: {
    status: 'sent',
    channel: 'email',
    sentAt: '2026-02-01T00:00:00.000Z',
    expiresAt: '2026-02-15T00:00:00.000Z'
  }
});

type Unqueued<M = QueuedMutation> = M extends unknown ? Omit<M, 'at'> & { at?: string } : never;

/** A mutation queued at AT unless it says otherwise. */
function queued(mutation: Unqueued): QueuedMutation {
  return { at: AT, ...mutation };
}

type Case = {
  given: ReplayedChat;
  hadRow?: boolean;
  mutation: QueuedMutation;
  shows: Partial<ReplayedChat>;
};

// One case per mutation type: the compiler names a new mutation this spec forgot.
const cases: { [T in MutationType]: Case } = {
  'chat.createDirect': {
    given: blank(),
    hadRow: false,
    mutation: queued({
      type: 'chat.createDirect',
      args: { chatId: 'chat-1', userId: 'u-bruno' },
      members: [member(ME), member('u-bruno')]
    }),
    shows: {
      kind: 'direct',
      name: null,
      createdBy: ME,
      createdAt: AT,
      members: [member(ME), member('u-bruno')],
      external: false
    }
  },
  'chat.createGroup': {
    given: blank(),
    hadRow: false,
    mutation: queued({
      type: 'chat.createGroup',
      args: { chatId: 'chat-1', name: 'Launch', memberIds: ['u-sam'] },
      members: [member(ME), member('u-sam', true)]
    }),
    shows: { kind: 'group', name: 'Launch', createdBy: ME, createdAt: AT, external: true }
  },
  'chat.startExternal': {
    given: blank(),
    hadRow: false,
    mutation: queued({
      type: 'chat.startExternal',
      args: { chatId: 'chat-1', address: '+33612345678' },
      members: [member(ME)],
      cap: 4
    }),
    shows: {
      kind: 'direct',
      name: null,
      createdBy: ME,
      external: true,
      members: [member(ME)],
      request: {
        role: 'sender',
        state: 'pending',
        address: '+33612345678',
        cap: 4,
        invitation: { status: 'sent', channel: 'sms', sentAt: AT, expiresAt: EXPIRES }
      }
    }
  },
  'request.accept': {
    given: synced({ request: incoming() }),
    mutation: queued({ type: 'request.accept', args: { chatId: 'chat-1' } }),
    shows: { request: { ...incoming(), state: 'accepted' }, active: true }
  },
  'request.decline': {
    given: synced({ request: incoming() }),
    mutation: queued({ type: 'request.decline', args: { chatId: 'chat-1' } }),
    shows: { request: { ...incoming(), state: 'declined' }, active: false }
  },
  'request.block': {
    given: synced({ request: incoming() }),
    mutation: queued({ type: 'request.block', args: { chatId: 'chat-1' } }),
    shows: { request: { ...incoming(), state: 'blocked' }, active: false }
  },
  'invitation.resend': {
    given: synced({ request: outgoing() }),
    mutation: queued({ type: 'invitation.resend', args: { chatId: 'chat-1' } }),
    shows: {
      request: {
        ...outgoing(),
        invitation: { status: 'sent', channel: 'email', sentAt: AT, expiresAt: EXPIRES }
      }
    }
  },
  'invitation.revoke': {
    given: synced({ request: outgoing() }),
    mutation: queued({ type: 'invitation.revoke', args: { chatId: 'chat-1' } }),
    shows: {
      request: { ...outgoing(), invitation: { ...outgoing().invitation, status: 'revoked' } }
    }
  },
  'chat.rename': {
    given: synced(),
    mutation: queued({ type: 'chat.rename', args: { chatId: 'chat-1', name: 'Launch' } }),
    shows: { name: 'Launch' }
  },
  'chat.addMembers': {
    given: synced(),
    mutation: queued({
      type: 'chat.addMembers',
      args: { chatId: 'chat-1', userIds: ['u-bruno', 'u-chloe'] },
      members: [member('u-bruno'), member('u-chloe')]
    }),
    shows: { members: [member(ME), member('u-bruno'), member('u-chloe')] }
  },
  'chat.removeMember': {
    given: synced(),
    mutation: queued({ type: 'chat.removeMember', args: { chatId: 'chat-1', userId: 'u-bruno' } }),
    shows: { members: [member(ME)] }
  },
  'chat.leave': {
    given: synced(),
    mutation: queued({ type: 'chat.leave', args: { chatId: 'chat-1' } }),
    shows: { active: false }
  },
  'chat.read': {
    given: synced(),
    mutation: queued({ type: 'chat.read', args: { chatId: 'chat-1', seq: 4 } }),
    shows: { readSeq: 4 }
  },
  'chat.mute': {
    given: synced(),
    mutation: queued({
      type: 'chat.mute',
      args: { chatId: 'chat-1', until: '2026-03-01T11:00:00.000Z' }
    }),
    shows: { mute: { until: '2026-03-01T11:00:00.000Z' } }
  },
  'chat.unmute': {
    given: synced({ mute: { until: null } }),
    mutation: queued({ type: 'chat.unmute', args: { chatId: 'chat-1' } }),
    shows: { mute: null }
  },
  'message.send': {
    given: synced(),
    mutation: queued({
      type: 'message.send',
      args: { chatId: 'chat-1', messageId: 'm-1', body: 'hello' }
    }),
    shows: { name: 'Team', members: serverChat().members, lastSeq: 5, readSeq: 2 }
  }
};

describe('replay', () => {
  it.each(Object.entries(cases))('shows %s before the server answers', (_type, c: Case) => {
    const shown = replay(c.given, c.hadRow ?? true, [c.mutation], ME);
    expect(shown).toMatchObject(c.shows);
  });

  it('takes the server’s state when nothing is queued, never lowering a marker', () => {
    const server = serverChat({ name: 'Renamed', readSeq: 1 });
    const stored = { ...synced(), name: 'Team', readSeq: 3, server };
    expect(replay(stored, true, [], ME)).toEqual({
      ...stored,
      name: 'Renamed',
      // Markers never go down: the device read further than the server has heard yet.
      readSeq: 3
    });
  });

  it('carries the fields of the device’s row it does not own, and leaves the row as it was', () => {
    const stored = { ...synced(), unread: 7, notice: null };
    const shown = replay(stored, true, [cases['chat.rename'].mutation], ME);
    expect(shown).toMatchObject({ unread: 7, notice: null, name: 'Launch' });
    expect(stored.name).toBe('Team');
  });

  it('reads chats from a server older than external contacts as neither external nor requests', () => {
    const server = { ...serverChat() } as Partial<ChatState>;
    delete server.external;
    delete server.request;
    const shown = replay({ ...blank(), server: server as ChatState }, true, [], ME);
    expect(shown).toMatchObject({ external: false, request: null });
  });

  it('shows a mute another device set, and a mute until turned on replayed over it', () => {
    const server = serverChat({ mute: { until: '2026-03-02T00:00:00.000Z' } });
    expect(replay({ ...blank(), server }, true, [], ME).mute).toEqual(server.mute);
    const forever = queued({ type: 'chat.mute', args: { chatId: 'chat-1', until: null } });
    expect(replay({ ...blank(), server }, true, [forever], ME).mute).toEqual({ until: null });
  });

  it('does not create again a chat the device or the server already shows', () => {
    const create = cases['chat.createGroup'].mutation;
    expect(replay(synced(), true, [create], ME)).toMatchObject({
      name: 'Team',
      createdBy: 'u-bruno'
    });
    const shown = blank({ name: 'Shown', createdBy: ME });
    expect(replay(shown, true, [create], ME)).toMatchObject({ name: 'Shown' });
  });

  it('starts an external chat with the default cap and now when the device knew neither', () => {
    const start = queued({
      type: 'chat.startExternal',
      args: { chatId: 'chat-1', address: 'sam@example.org' },
      at: 'not a date'
    });
    const before = Date.now();
    const request = replay(blank(), false, [start], ME).request;
    expect(request).toMatchObject({ cap: DEFAULT_REQUEST_CAP, invitation: { channel: 'email' } });
    const sentAt = Date.parse(request?.role === 'sender' ? request.invitation.sentAt : '');
    expect(sentAt).toBeGreaterThanOrEqual(before);
  });

  it('answers only a pending request this person received', () => {
    for (const request of [incoming('accepted'), outgoing()]) {
      const shown = replay(synced({ request }), true, [cases['request.decline'].mutation], ME);
      expect(shown).toMatchObject({ request, active: true });
    }
  });

  it('resends or revokes only the invitation of a pending request this person sent', () => {
    for (const type of ['invitation.resend', 'invitation.revoke'] as const) {
      for (const request of [outgoing('accepted'), incoming()]) {
        const shown = replay(synced({ request }), true, [cases[type].mutation], ME);
        expect(shown.request).toEqual(request);
      }
    }
  });

  it('keeps a resent invitation on the channel it went by', () => {
    const request = { ...outgoing(), address: 'sam@example.org' };
    request.invitation = { ...request.invitation, channel: 'sms' };
    const shown = replay(synced({ request }), true, [cases['invitation.resend'].mutation], ME);
    expect(shown.request).toMatchObject({ invitation: { channel: 'sms', sentAt: AT } });
  });

  it('adds only people who are not members yet, and never lowers the read marker', () => {
    const add = cases['chat.addMembers'].mutation;
    const twice = replay(synced(), true, [add, add], ME);
    expect(twice.members.map((m) => m.userId)).toEqual([ME, 'u-bruno', 'u-chloe']);
    const read = queued({ type: 'chat.read', args: { chatId: 'chat-1', seq: 1 } });
    expect(replay(synced(), true, [read], ME).readSeq).toBe(2);
  });

  it('replays mutations in device order over the server’s state', () => {
    const rename = (name: string) =>
      queued({ type: 'chat.rename', args: { chatId: 'chat-1', name } });
    const shown = replay(synced(), true, [rename('First'), rename('Second')], ME);
    expect(shown.name).toBe('Second');
  });
});
