import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Me } from '$lib/api/types';
import { ParleyDB, type LocalChat } from '$lib/db';
import { applyChanges, applyResults } from './apply';
import { addQueueRule, enqueue, retryMessage, sendMessage } from './outbox';
import type { Change, ChatState, MessageState, Mutation, RequestState } from '$common/protocol';
import { capUsage, isHiddenChat, isIncomingRequest, requestCapRule } from './requests';

const ME = 'u-alice';
const ZOE = 'u-zoe';
const opened: ParleyDB[] = [];
let removeRule: () => void = () => undefined;

function freshDb() {
  const db = new ParleyDB(`requests-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

beforeEach(() => {
  removeRule = addQueueRule(requestCapRule);
});

afterEach(async () => {
  removeRule();
  for (const db of opened.splice(0)) await db.delete();
});

const AT = '2026-03-01T10:00:00.000Z';
let cursor = 0;

function senderRequest(
  overrides: Partial<Extract<RequestState, { role: 'sender' }>> = {}
): RequestState {
  return {
    role: 'sender',
    state: 'pending',
    address: 'zoe@fabrikam.test',
    cap: 10,
    invitation: {
      status: 'sent',
      channel: 'email',
      sentAt: AT,
      expiresAt: '2026-03-15T10:00:00.000Z'
    },
    ...overrides
  };
}

function chat(id: string, overrides: Partial<ChatState> = {}): ChatState {
  return {
    id,
    kind: 'direct',
    name: null,
    createdBy: ME,
    createdAt: AT,
    lastSeq: 0,
    readSeq: 0,
    active: true,
    external: true,
    request: senderRequest(),
    members: [
      { userId: ME, name: 'Alice', organization: 'Contoso', external: false, joinedAt: AT }
    ],
    ...overrides
  };
}

function message(chatId: string, seq: number, authorId = ME): MessageState {
  return {
    id: `${chatId}-m${seq}`,
    chatId,
    seq,
    authorId,
    body: `message ${seq}`,
    sentAt: AT,
    createdAt: AT
  };
}

/** The profile GET /api/me answered, as the session caches it. */
function profile(requestCap?: number): Me {
  return {
    id: ME,
    name: 'Alice',
    email: 'alice@contoso.test',
    phone: null,
    kind: 'managed',
    role: 'member',
    organization: { id: 'org-contoso', name: 'Contoso', region: 'FR' },
    region: 'FR',
    locale: null,
    requestsAllowed: true,
    ...(requestCap !== undefined && { requestCap })
  };
}

const chatChange = (c: ChatState): Change => ({ cursor: ++cursor, type: 'chat', chat: c });
const messageChange = (m: MessageState): Change => ({
  cursor: ++cursor,
  type: 'message',
  message: m
});

async function queued(db: ParleyDB): Promise<Mutation[]> {
  const rows = await db.outbox.orderBy('seq').toArray();
  return rows.map(
    (r) => ({ id: r.id, seq: r.seq, at: r.at, type: r.type, args: r.args }) as Mutation
  );
}

async function row(db: ParleyDB, id: string): Promise<LocalChat> {
  const found = await db.chats.get(id);
  if (!found) throw new Error(`no chat ${id}`);
  return found;
}

describe('the pre-acceptance cap on the device', () => {
  it('counts delivered and queued messages, and refuses the 11th with cap_reached', async () => {
    const db = freshDb();
    const delivered = [1, 2, 3, 4].map((seq) => messageChange(message('req-1', seq)));
    await applyChanges(db, [chatChange(chat('req-1', { lastSeq: 4 })), ...delivered], cursor, ME);
    for (let i = 0; i < 6; i++) {
      expect(await sendMessage(db, 'req-1', `queued ${i}`, { userId: ME })).toMatchObject({
        ok: true
      });
    }
    expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 10, cap: 10 });

    const eleventh = await sendMessage(db, 'req-1', 'one too many', { userId: ME });
    expect(eleventh).toEqual({
      ok: false,
      refusal: expect.objectContaining({ code: 'cap_reached' })
    });
    // Nothing was written for the refused one.
    expect(await db.outbox.count()).toBe(6);
    expect(await db.messages.where('chatId').equals('req-1').count()).toBe(10);
  });

  it('uses the cap the sender’s organization set', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [chatChange(chat('req-1', { request: senderRequest({ cap: 2 }) }))],
      cursor,
      ME
    );
    await sendMessage(db, 'req-1', 'one', { userId: ME });
    await sendMessage(db, 'req-1', 'two', { userId: ME });
    const third = await sendMessage(db, 'req-1', 'three', { userId: ME });
    expect(third.ok).toBe(false);
  });

  it('holds queued messages to a cap an admin lowered, once /api/me has said it', async () => {
    const db = freshDb();
    const delivered = [1, 2].map((seq) => messageChange(message('req-1', seq)));
    await applyChanges(db, [chatChange(chat('req-1', { lastSeq: 2 })), ...delivered], cursor, ME);
    expect((await sendMessage(db, 'req-1', 'third', { userId: ME })).ok).toBe(true);
    // Offline from here: the chat still says 10, the profile read before says 4.
    await db.saveMe(profile(4));
    expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 3, cap: 4 });
    expect((await sendMessage(db, 'req-1', 'fourth', { userId: ME })).ok).toBe(true);
    expect(await sendMessage(db, 'req-1', 'fifth', { userId: ME })).toEqual({
      ok: false,
      refusal: expect.objectContaining({
        code: 'cap_reached',
        message: expect.stringContaining('4')
      })
    });
  });

  it('keeps the chat’s cap when the profile says more or nothing', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [chatChange(chat('req-1', { request: senderRequest({ cap: 2 }) }))],
      cursor,
      ME
    );
    for (const cached of [profile(10), profile()]) {
      await db.saveMe(cached);
      expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 0, cap: 2 });
    }
    await db.forgetUser('session');
    expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 0, cap: 2 });
  });

  it('counts per person: requests to another address have their own places', async () => {
    const db = freshDb();
    const small = { request: senderRequest({ cap: 1 }) };
    const toYann = { request: senderRequest({ cap: 1, address: 'yann@example.org' }) };
    await applyChanges(
      db,
      [chatChange(chat('req-1', small)), chatChange(chat('req-2', toYann))],
      cursor,
      ME
    );
    expect((await sendMessage(db, 'req-1', 'to zoe', { userId: ME })).ok).toBe(true);
    expect((await sendMessage(db, 'req-2', 'to yann', { userId: ME })).ok).toBe(true);
    expect((await sendMessage(db, 'req-1', 'again', { userId: ME })).ok).toBe(false);
  });

  it('counts every pending request to the same address together', async () => {
    const db = freshDb();
    const delivered = [1, 2, 3, 4, 5, 6].map((seq) => messageChange(message('req-1', seq)));
    await applyChanges(
      db,
      [chatChange(chat('req-1', { lastSeq: 6 })), ...delivered, chatChange(chat('req-2'))],
      cursor,
      ME
    );
    for (let i = 0; i < 4; i++) {
      expect((await sendMessage(db, 'req-2', `again ${i}`, { userId: ME })).ok).toBe(true);
    }
    expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 10, cap: 10 });
    expect(await sendMessage(db, 'req-2', 'one too many', { userId: ME })).toEqual({
      ok: false,
      refusal: expect.objectContaining({ code: 'cap_reached' })
    });
    expect((await sendMessage(db, 'req-1', 'nor here', { userId: ME })).ok).toBe(false);
  });

  it('does not count a message the server refused, so it can be retried once there is room', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [chatChange(chat('req-1', { request: senderRequest({ cap: 1 }) }))],
      cursor,
      ME
    );
    await sendMessage(db, 'req-1', 'first', { userId: ME });
    const [m] = await queued(db);
    await applyResults(
      db,
      [m!],
      [{ id: m!.id, seq: m!.seq, status: 'rejected', code: 'cap_reached', message: 'cap' }],
      ME
    );
    const [failed] = await db.messages.toArray();
    expect(failed).toMatchObject({ status: 'failed', refusal: { code: 'cap_reached' } });
    expect(await capUsage(db, await row(db, 'req-1'), ME)).toEqual({ used: 0, cap: 1 });
    expect(await retryMessage(db, failed!.id, { userId: ME })).toMatchObject({ ok: true });
  });

  it('keeps a refused message as it was when a retry would pass the cap', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [
        chatChange(chat('req-1', { request: senderRequest({ cap: 1 }), lastSeq: 1 })),
        messageChange(message('req-1', 1))
      ],
      cursor,
      ME
    );
    // A message refused earlier (e.g. while the invitation was withdrawn) sits there failed.
    await db.messages.put({
      ...(await db.messages.get('req-1-m1'))!,
      id: 'failed-1',
      seq: null,
      order: 2 ** 40 + 1,
      status: 'failed',
      refusal: { code: 'request_revoked', message: 'revoked' }
    });
    const retry = await retryMessage(db, 'failed-1', { userId: ME });
    expect(retry).toMatchObject({ ok: false, refusal: { code: 'cap_reached' } });
    expect(await db.messages.get('failed-1')).toMatchObject({
      status: 'failed',
      body: 'message 1'
    });
  });

  it('does not apply after acceptance, nor to the recipient, nor to ordinary chats', async () => {
    const db = freshDb();
    const one = senderRequest({ cap: 1 });
    await applyChanges(
      db,
      [
        chatChange(chat('accepted', { request: { ...one, state: 'accepted' } })),
        chatChange(
          chat('incoming', {
            createdBy: ZOE,
            request: { role: 'recipient', state: 'accepted', address: 'alice@contoso.test' }
          })
        ),
        chatChange(chat('plain', { request: null, external: false }))
      ],
      cursor,
      ME
    );
    for (const id of ['accepted', 'incoming', 'plain']) {
      await sendMessage(db, id, 'one', { userId: ME });
      expect((await sendMessage(db, id, 'two', { userId: ME })).ok).toBe(true);
    }
  });

  it('applies to a request started on this device before the server has answered', async () => {
    const db = freshDb();
    await enqueue(
      db,
      { type: 'chat.startExternal', args: { chatId: 'new-req', address: '+33612345678' } },
      { userId: ME, cap: 2, members: [] }
    );
    expect(await row(db, 'new-req')).toMatchObject({
      kind: 'direct',
      external: true,
      request: {
        role: 'sender',
        state: 'pending',
        address: '+33612345678',
        cap: 2,
        invitation: { status: 'sent', channel: 'sms' }
      }
    });
    await sendMessage(db, 'new-req', 'one', { userId: ME });
    await sendMessage(db, 'new-req', 'two', { userId: ME });
    expect((await sendMessage(db, 'new-req', 'three', { userId: ME })).ok).toBe(false);
  });
});

describe('message requests on the recipient’s device', () => {
  const incoming = (overrides: Partial<ChatState> = {}) =>
    chat('req-in', {
      createdBy: ZOE,
      members: [
        { userId: ZOE, name: 'Zoé', organization: 'Fabrikam', external: true, joinedAt: AT },
        { userId: ME, name: 'Alice', organization: 'Contoso', external: false, joinedAt: AT }
      ],
      request: { role: 'recipient', state: 'pending', address: 'alice@contoso.test' },
      ...overrides
    });

  it('lists a pending request apart from chats', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(incoming())], cursor, ME);
    const stored = await row(db, 'req-in');
    expect(isIncomingRequest(stored)).toBe(true);
    expect(isHiddenChat(stored)).toBe(false);
  });

  it('hides a request declined or blocked on another device', async () => {
    const db = freshDb();
    for (const state of ['declined', 'blocked'] as const) {
      await applyChanges(
        db,
        [
          chatChange(
            incoming({
              active: false,
              request: { role: 'recipient', state, address: 'alice@contoso.test' }
            })
          )
        ],
        cursor,
        ME
      );
      const stored = await row(db, 'req-in');
      expect(isHiddenChat(stored)).toBe(true);
      expect(isIncomingRequest(stored)).toBe(false);
    }
  });

  it('hides a request the sender withdrew before it was answered', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(incoming({ active: false }))], cursor, ME);
    expect(isHiddenChat(await row(db, 'req-in'))).toBe(true);
  });

  it('hides a declined request at once, offline, and brings it back if the server refuses', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(incoming())], cursor, ME);
    await enqueue(db, { type: 'request.decline', args: { chatId: 'req-in' } }, { userId: ME });
    const declined = await row(db, 'req-in');
    expect(declined.request).toMatchObject({ state: 'declined' });
    expect(isHiddenChat(declined)).toBe(true);

    const [m] = await queued(db);
    await applyResults(
      db,
      [m!],
      [{ id: m!.id, seq: m!.seq, status: 'rejected', code: 'chat_not_found', message: 'gone' }],
      ME
    );
    const back = await row(db, 'req-in');
    expect(isIncomingRequest(back)).toBe(true);
    expect(back.notice).toMatchObject({ code: 'chat_not_found', type: 'request.decline' });
  });

  it('turns an accepted request into a normal chat', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(incoming())], cursor, ME);
    await enqueue(db, { type: 'request.accept', args: { chatId: 'req-in' } }, { userId: ME });
    const accepted = await row(db, 'req-in');
    expect(accepted).toMatchObject({ active: true, request: { state: 'accepted' } });
    expect(isIncomingRequest(accepted)).toBe(false);
    expect(isHiddenChat(accepted)).toBe(false);
  });
});

describe('the sender’s invitation controls', () => {
  it('shows a withdrawn invitation at once, and a resent one with a new expiry', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat('req-1'))], cursor, ME);
    await enqueue(db, { type: 'invitation.revoke', args: { chatId: 'req-1' } }, { userId: ME });
    expect((await row(db, 'req-1')).request).toMatchObject({ invitation: { status: 'revoked' } });

    const now = () => new Date('2026-03-10T08:00:00.000Z');
    await enqueue(
      db,
      { type: 'invitation.resend', args: { chatId: 'req-1' } },
      { userId: ME, now }
    );
    expect((await row(db, 'req-1')).request).toMatchObject({
      invitation: {
        status: 'sent',
        channel: 'email',
        sentAt: '2026-03-10T08:00:00.000Z',
        expiresAt: '2026-03-24T08:00:00.000Z'
      }
    });
  });

  it('follows the existing chat when the server says the address is an accepted contact', async () => {
    const db = freshDb();
    await enqueue(
      db,
      { type: 'chat.startExternal', args: { chatId: 'new-req', address: 'zoe@fabrikam.test' } },
      { userId: ME, members: [] }
    );
    const [m] = await queued(db);
    await applyResults(
      db,
      [m!],
      [
        {
          id: m!.id,
          seq: m!.seq,
          status: 'rejected',
          code: 'direct_chat_exists',
          message: 'exists',
          details: { chatId: 'chat-zoe' }
        }
      ],
      ME
    );
    // Nothing was typed in it: the local chat goes, and the screen follows `movedTo` meanwhile.
    expect(await db.chats.get('new-req')).toBeUndefined();
  });

  it('keeps a refused start on screen with the reason, for the user to delete', async () => {
    const db = freshDb();
    await enqueue(
      db,
      { type: 'chat.startExternal', args: { chatId: 'new-req', address: 'zoe@fabrikam.test' } },
      { userId: ME, members: [] }
    );
    const [m] = await queued(db);
    await applyResults(
      db,
      [m!],
      [
        {
          id: m!.id,
          seq: m!.seq,
          status: 'rejected',
          code: 'policy_outbound_disabled',
          message: 'off'
        }
      ],
      ME
    );
    expect(await row(db, 'new-req')).toMatchObject({
      refused: { code: 'policy_outbound_disabled' },
      request: { role: 'sender', address: 'zoe@fabrikam.test' }
    });
  });
});

describe('read receipts from others', () => {
  it('stores another member’s read marker, never lowering it, apart from my own', async () => {
    const db = freshDb();
    const accepted = chat('chat-zoe', {
      lastSeq: 3,
      request: senderRequest({ state: 'accepted' }),
      members: [
        { userId: ME, name: 'Alice', organization: 'Contoso', external: false, joinedAt: AT },
        { userId: ZOE, name: 'Zoé', organization: null, external: true, joinedAt: AT }
      ]
    });
    const read = (userId: string, seq: number): Change => ({
      cursor: ++cursor,
      type: 'read',
      chatId: 'chat-zoe',
      userId,
      seq
    });
    await applyChanges(
      db,
      [chatChange(accepted), read(ZOE, 3), read(ZOE, 2), read(ME, 1)],
      cursor,
      ME
    );
    const stored = await row(db, 'chat-zoe');
    expect(stored.reads).toEqual({ [ZOE]: 3 });
    expect(stored.readSeq).toBe(1);
    expect(stored.unread).toBe(2);
  });
});
