import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ParleyDB } from '$lib/db';
import { applyChanges, applyResults } from './apply';
import { enqueue, getMeta, sendMessage } from './outbox';
import type { Change, ChatState, MessageState, Mutation, MutationResult } from '$common/protocol';

const ME = 'u-alice';
const BRUNO = 'u-bruno';
const opened: ParleyDB[] = [];

function freshDb() {
  const db = new ParleyDB(`apply-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

function chat(overrides: Partial<ChatState> = {}): ChatState {
  return {
    id: 'chat-1',
    kind: 'group',
    name: 'Team',
    createdBy: ME,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastSeq: 0,
    readSeq: 0,
    active: true,
    external: false,
    request: null,
    members: [
      {
        userId: ME,
        name: 'Alice',
        organization: 'Contoso',
        external: false,
        joinedAt: '2026-01-01T00:00:00.000Z'
      },
      {
        userId: BRUNO,
        name: 'Bruno',
        organization: 'Contoso',
        external: false,
        joinedAt: '2026-01-01T00:00:00.000Z'
      }
    ],
    ...overrides
  };
}

function message(seq: number, authorId = BRUNO, chatId = 'chat-1'): MessageState {
  return {
    id: `${chatId}-m${seq}`,
    chatId,
    seq,
    authorId,
    body: `message ${seq}`,
    sentAt: '2026-01-02T00:00:00.000Z',
    createdAt: `2026-01-02T00:00:${String(seq % 60).padStart(2, '0')}.000Z`
  };
}

let cursor = 0;
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

describe('applying push results', () => {
  it('gives an applied message its server place and takes it out of the outbox', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], cursor, ME);
    await sendMessage(db, 'chat-1', 'hi', { userId: ME });
    const [m] = await queued(db);
    await applyResults(db, [m!], [{ id: m!.id, seq: 1, status: 'applied', chatSeq: 4 }], ME);

    expect(await db.outbox.count()).toBe(0);
    const [stored] = await db.messages.toArray();
    expect(stored).toMatchObject({ body: 'hi', seq: 4, order: 4, status: 'sent' });
    expect(await db.chats.get('chat-1')).toMatchObject({ pending: 0, lastSeq: 4 });
  });

  it('marks a refused message Not sent with the reason, and goes on with the ones behind it', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], cursor, ME);
    await sendMessage(db, 'chat-1', 'refused', { userId: ME });
    await sendMessage(db, 'chat-1', 'accepted', { userId: ME });
    const [a, b] = await queued(db);
    const results: MutationResult[] = [
      { id: a!.id, seq: 1, status: 'rejected', code: 'message_too_long', message: 'Too long' },
      { id: b!.id, seq: 2, status: 'applied', chatSeq: 1 }
    ];
    const outcome = await applyResults(db, [a!, b!], results, ME);

    expect(outcome).toEqual({ gap: false, applied: 1, rejected: 1 });
    expect(await db.outbox.count()).toBe(0);
    const byBody = Object.fromEntries((await db.messages.toArray()).map((m) => [m.body, m]));
    expect(byBody.refused).toMatchObject({
      status: 'failed',
      refusal: { code: 'message_too_long', message: 'Too long' }
    });
    expect(byBody.accepted).toMatchObject({ status: 'sent', seq: 1 });
  });

  it('keeps mutations refused for a sequence gap in the outbox, to be pushed again', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], cursor, ME);
    await sendMessage(db, 'chat-1', 'later', { userId: ME });
    const [m] = await queued(db);
    const outcome = await applyResults(
      db,
      [m!],
      [{ id: m!.id, seq: 1, status: 'rejected', code: 'sequence_gap', message: 'gap' }],
      ME
    );
    expect(outcome.gap).toBe(true);
    expect(await db.outbox.count()).toBe(1);
    expect((await db.messages.toArray())[0]?.status).toBe('pending');
  });

  it('undoes a refused rename, back to the server’s name, and says why', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], cursor, ME);
    await enqueue(
      db,
      { type: 'chat.rename', args: { chatId: 'chat-1', name: 'New' } },
      { userId: ME }
    );
    expect((await db.chats.get('chat-1'))?.name).toBe('New');
    const [m] = await queued(db);
    await applyResults(
      db,
      [m!],
      [{ id: m!.id, seq: 1, status: 'rejected', code: 'invalid_name', message: 'Bad name' }],
      ME
    );
    expect(await db.chats.get('chat-1')).toMatchObject({
      name: 'Team',
      notice: { code: 'invalid_name', type: 'chat.rename' }
    });
  });

  it('sends messages typed into a duplicate 1:1 chat to the one the server already has', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [chatChange(chat({ id: 'existing', kind: 'direct', name: null }))],
      1,
      ME
    );
    const members = chat().members;
    await enqueue(
      db,
      { type: 'chat.createDirect', args: { chatId: 'local', userId: BRUNO } },
      { userId: ME, members }
    );
    await sendMessage(db, 'local', 'hello again', { userId: ME });
    const [create, send] = await queued(db);
    // Not a literal in the call, so this compiles whether or not `details` is in the type yet.
    const exists = {
      id: create!.id,
      seq: 1,
      status: 'rejected' as const,
      code: 'direct_chat_exists',
      message: 'You already have a chat with this person.',
      details: { chatId: 'existing' }
    };
    await applyResults(
      db,
      [create!, send!],
      [
        exists,
        { id: send!.id, seq: 2, status: 'rejected', code: 'chat_not_found', message: 'No chat' }
      ],
      ME
    );
    expect(await db.chats.get('local')).toBeUndefined();
    const [resent] = await queued(db);
    expect(resent).toMatchObject({ seq: 3, type: 'message.send', args: { chatId: 'existing' } });
    expect(await db.chats.get('existing')).toMatchObject({
      pending: 1,
      preview: { body: 'hello again' }
    });
  });

  it('keeps an applied acceptance in effect until the chat’s server state catches up', async () => {
    const db = freshDb();
    const request = (state: 'pending' | 'accepted') => ({
      role: 'recipient' as const,
      state,
      address: 'alice@contoso.test'
    });
    const before = chatChange(chat({ external: true, request: request('pending') }));
    await applyChanges(db, [before], cursor, ME);
    await enqueue(db, { type: 'request.accept', args: { chatId: 'chat-1' } }, { userId: ME });
    const [m] = await queued(db);
    await applyResults(db, [m!], [{ id: m!.id, seq: 1, status: 'applied' }], ME);
    expect(await db.outbox.count()).toBe(0);
    expect((await db.chats.get('chat-1'))?.request?.state).toBe('accepted');

    // A message, or the state from before the answer applied again (another tab's older pull),
    // says nothing about the request.
    await applyChanges(db, [messageChange(message(1)), before], cursor, ME);
    expect((await db.chats.get('chat-1'))?.request?.state).toBe('accepted');

    const after = chatChange(chat({ external: true, request: request('accepted'), lastSeq: 1 }));
    await applyChanges(db, [after], cursor, ME);
    const caughtUp = await db.chats.get('chat-1');
    expect(caughtUp).toMatchObject({ settled: [], request: { state: 'accepted' } });
  });

  it('ignores an answer it has already applied (a replay after a crash)', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], cursor, ME);
    await sendMessage(db, 'chat-1', 'once', { userId: ME });
    const [m] = await queued(db);
    const answer: MutationResult[] = [{ id: m!.id, seq: 1, status: 'applied', chatSeq: 1 }];
    await applyResults(db, [m!], answer, ME);
    await applyResults(db, [m!], answer, ME);
    expect(await db.messages.count()).toBe(1);
  });
});

describe('applying pulled changes', () => {
  it('stores the changes and the cursor together', async () => {
    const db = freshDb();
    const changes = [chatChange(chat()), messageChange(message(1)), messageChange(message(2))];
    await applyChanges(db, changes, 42, ME);
    expect(await getMeta(db, 'cursor', 0)).toBe(42);
    expect(await db.messages.count()).toBe(2);
    expect(await db.chats.get('chat-1')).toMatchObject({
      lastSeq: 2,
      unread: 2,
      preview: { body: 'message 2' }
    });
  });

  it('stores neither the changes nor the cursor when the page cannot be applied', async () => {
    const db = freshDb();
    const broken = { ...message(2), id: undefined } as unknown as MessageState;
    await expect(
      applyChanges(
        db,
        [chatChange(chat()), messageChange(message(1)), messageChange(broken)],
        9,
        ME
      )
    ).rejects.toThrow();
    expect(await getMeta(db, 'cursor', 0)).toBe(0);
    expect(await db.messages.count()).toBe(0);
    expect(await db.chats.count()).toBe(0);
  });

  it('is harmless to apply twice and never moves the cursor back', async () => {
    const db = freshDb();
    const page = [chatChange(chat()), messageChange(message(1))];
    await applyChanges(db, page, 20, ME);
    await applyChanges(db, page, 10, ME);
    expect(await getMeta(db, 'cursor', 0)).toBe(20);
    expect(await db.messages.count()).toBe(1);
  });

  it('replaces a pending message with the server’s copy when the pull brings it first', async () => {
    const db = freshDb();
    await applyChanges(db, [chatChange(chat())], 1, ME);
    await sendMessage(db, 'chat-1', 'mine', { userId: ME });
    const [pending] = await db.messages.toArray();
    await applyChanges(
      db,
      [messageChange({ ...message(1, ME), id: pending!.id, body: 'mine' })],
      2,
      ME
    );
    const all = await db.messages.toArray();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'sent', seq: 1 });
    expect(await db.chats.get('chat-1')).toMatchObject({ pending: 0, unread: 0 });
  });

  it('counts unread messages from others only, up to the read marker', async () => {
    const db = freshDb();
    await applyChanges(
      db,
      [
        chatChange(chat()),
        messageChange(message(1)),
        messageChange(message(2, ME)),
        messageChange(message(3)),
        messageChange(message(4))
      ],
      5,
      ME
    );
    // Writing at 2 read everything up to 2; 3 and 4 from Bruno are unread.
    expect((await db.chats.get('chat-1'))?.unread).toBe(2);
    await applyChanges(
      db,
      [{ cursor: 6, type: 'read', chatId: 'chat-1', userId: ME, seq: 4 }],
      6,
      ME
    );
    expect((await db.chats.get('chat-1'))?.unread).toBe(0);
    await applyChanges(
      db,
      [{ cursor: 7, type: 'read', chatId: 'chat-1', userId: BRUNO, seq: 3 }],
      7,
      ME
    );
    expect((await db.chats.get('chat-1'))?.reads).toEqual({ [BRUNO]: 3 });
  });
});
