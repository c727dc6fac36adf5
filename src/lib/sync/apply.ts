// Every write the sync engine makes to IndexedDB: server answers, pulled changes, history. Each
// runs in one Dexie transaction, so a crash leaves either all of it or none of it on the device.
import Dexie from 'dexie';
import {
  LOCAL_ORDER_BASE,
  type ChatRow,
  type MessageRow,
  type MetaKey,
  type OutboxRow,
  type ParleyDB,
  type Refusal
} from '$lib/db';
import {
  DEFAULT_REQUEST_CAP,
  type BootstrapResponse,
  type Change,
  type ChatMember,
  type MessageState,
  type Mutation,
  createsChat,
  INVITATION_LIFETIME_MS,
  type MutationResult,
  type RequestState
} from '$common/protocol';

/**
 * Writes a pending message and its mutation (the core of `outbox.enqueue`, which adds the local
 * rules). Only call inside a transaction over `syncTables`.
 */
export async function enqueueMessage(
  db: ParleyDB,
  chatId: string,
  body: string,
  me: string,
  at = new Date().toISOString()
): Promise<number> {
  const seq = await takeSeq(db);
  const messageId = crypto.randomUUID();
  await db.outbox.add({
    seq,
    id: crypto.randomUUID(),
    at,
    chatId,
    state: 'queued',
    type: 'message.send',
    args: { chatId, messageId, body }
  });
  await db.messages.add({
    id: messageId,
    chatId,
    seq: null,
    order: LOCAL_ORDER_BASE + seq,
    authorId: me,
    body,
    sentAt: at,
    createdAt: null,
    status: 'pending',
    refusal: null
  });
  return seq;
}

/** Takes the device's next mutation sequence. Only call inside a transaction over `meta`. */
export async function takeSeq(db: ParleyDB): Promise<number> {
  const seq = await getMeta(db, 'nextSeq', 1);
  await db.meta.put({ key: 'nextSeq', value: seq + 1 });
  return seq;
}

/** The tables every sync and outbox transaction spans; the profile for the cap /api/me gave. */
export function syncTables(db: ParleyDB) {
  return [db.chats, db.messages, db.outbox, db.meta, db.profile];
}

export async function getMeta<T extends string | number | boolean>(
  db: ParleyDB,
  key: MetaKey,
  fallback: T
): Promise<T> {
  const row = await db.meta.get(key);
  return row === undefined ? fallback : (row.value as T);
}

export function messageFromServer(message: MessageState): MessageRow {
  return {
    id: message.id,
    chatId: message.chatId,
    seq: message.seq,
    order: message.seq,
    authorId: message.authorId,
    body: message.body,
    sentAt: message.sentAt,
    createdAt: message.createdAt,
    status: 'sent',
    refusal: null
  };
}

function emptyChat(id: string): ChatRow {
  return {
    id,
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
    reads: {},
    unread: 0,
    pending: 0,
    preview: null,
    activity: 0,
    server: null,
    refused: null,
    movedTo: null,
    notice: null
  };
}

function mergeMembers(members: ChatMember[], added: ChatMember[]): ChatMember[] {
  const known = new Set(members.map((m) => m.userId));
  return [...members, ...added.filter((m) => !known.has(m.userId))];
}

/**
 * The chat with the server's state, then this device's unanswered mutations replayed in device
 * order. Every mutation is an idempotent "set", so replaying over a chat that exists only on this
 * device (no server state yet) changes nothing that is already there.
 */
function replay(previous: ChatRow, hadRow: boolean, mutations: OutboxRow[], me: string): ChatRow {
  let row: ChatRow = { ...previous };
  if (row.server) {
    const s = row.server;
    row = {
      ...row,
      kind: s.kind,
      name: s.name,
      createdBy: s.createdBy,
      createdAt: s.createdAt,
      members: s.members,
      active: s.active,
      // A server older than external contacts sends neither field.
      external: s.external ?? false,
      request: s.request ?? null,
      lastSeq: Math.max(row.lastSeq, s.lastSeq),
      readSeq: Math.max(row.readSeq, s.readSeq)
    };
  }
  for (const m of mutations) {
    switch (m.type) {
      case 'chat.createDirect':
      case 'chat.createGroup':
        if (!row.server && !hadRow) {
          row.kind = m.type === 'chat.createDirect' ? 'direct' : 'group';
          row.name = m.type === 'chat.createGroup' ? m.args.name : null;
          row.createdBy = me;
          row.createdAt = m.at;
          row.members = m.members ?? [];
          row.external = row.members.some((member) => member.external);
        }
        break;
      case 'chat.startExternal':
        // Until the server answers, the sender sees what it will show: only themselves, the
        // address, a pending request and an invitation sent now (whoever holds the address).
        if (!row.server && !hadRow) {
          row.kind = 'direct';
          row.name = null;
          row.createdBy = me;
          row.createdAt = m.at;
          row.members = m.members ?? [];
          row.external = true;
          row.request = {
            role: 'sender',
            state: 'pending',
            address: m.args.address,
            cap: m.cap ?? DEFAULT_REQUEST_CAP,
            invitation: invitationSent(m.args.address, m.at)
          };
        }
        break;
      case 'request.accept':
      case 'request.decline':
      case 'request.block':
        if (row.request?.role === 'recipient' && row.request.state === 'pending') {
          const state = ANSWERS[m.type];
          row.request = { ...row.request, state };
          // Declining or blocking leaves the chat: it disappears from this person's list.
          if (state !== 'accepted') row.active = false;
        }
        break;
      case 'invitation.resend':
        if (row.request?.role === 'sender' && row.request.state === 'pending') {
          row.request = {
            ...row.request,
            invitation: {
              ...invitationSent(row.request.address, m.at),
              channel: row.request.invitation.channel
            }
          };
        }
        break;
      case 'invitation.revoke':
        if (row.request?.role === 'sender' && row.request.state === 'pending') {
          row.request = {
            ...row.request,
            invitation: { ...row.request.invitation, status: 'revoked' }
          };
        }
        break;
      case 'chat.rename':
        row.name = m.args.name;
        break;
      case 'chat.addMembers':
        row.members = mergeMembers(row.members, m.members ?? []);
        break;
      case 'chat.removeMember':
        row.members = row.members.filter((member) => member.userId !== m.args.userId);
        break;
      case 'chat.leave':
        row.active = false;
        break;
      case 'chat.read':
        row.readSeq = Math.max(row.readSeq, m.args.seq);
        break;
      case 'message.send':
        break;
    }
  }
  return row;
}

const ANSWERS = {
  'request.accept': 'accepted',
  'request.decline': 'declined',
  'request.block': 'blocked'
} as const;

function invitationSent(
  address: string,
  at: string
): Extract<RequestState, { role: 'sender' }>['invitation'] {
  const sent = Date.parse(at) || Date.now();
  return {
    status: 'sent',
    channel: address.includes('@') ? 'email' : 'sms',
    sentAt: new Date(sent).toISOString(),
    expiresAt: new Date(sent + INVITATION_LIFETIME_MS).toISOString()
  };
}

/** The chat list's figures: preview (unless kept), pending, unread and the sort key. */
function figures(row: ChatRow, last: MessageRow | undefined | 'keep', pending: number): ChatRow {
  if (last !== 'keep') {
    row.preview = last
      ? {
          body: last.body,
          authorId: last.authorId,
          at: last.createdAt ?? last.sentAt,
          pending: last.status === 'pending',
          order: last.order
        }
      : null;
  }
  row.pending = pending;
  row.unread = Math.max(0, row.lastSeq - row.readSeq);
  row.activity = Date.parse(row.preview?.at ?? row.createdAt) || 0;
  return row;
}

/**
 * Rebuilds what the UI shows for one chat from what is stored: server state, replayed outbox and
 * the list figures. A few reads; `applyChanges` takes a faster path for chats with nothing pending.
 */
export async function recomputeChat(db: ParleyDB, chatId: string, me: string): Promise<void> {
  const previous = await db.chats.get(chatId);
  const mutations = await db.outbox.where('chatId').equals(chatId).sortBy('seq');
  const creates = mutations.some((m) => createsChat(m.type));
  // A chat the user discarded, or never had: late answers about it must not bring it back.
  if (!previous && !creates) return;
  const row = replay(previous ?? emptyChat(chatId), previous !== undefined, mutations, me);
  const last = await db.messages
    .where('[chatId+order]')
    .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
    .last();
  const pending = await db.messages
    .where('[chatId+order]')
    .between([chatId, LOCAL_ORDER_BASE], [chatId, Dexie.maxKey])
    .filter((message) => message.status === 'pending')
    .count();
  await db.chats.put(figures(row, last, pending));
}

/** Folds one pulled message into its chat's bookkeeping (recomputed afterwards). */
function noteMessage(row: ChatRow, message: MessageState, me: string): void {
  row.lastSeq = Math.max(row.lastSeq, message.seq);
  // Writing in a chat means having read it up to there.
  if (message.authorId === me) row.readSeq = Math.max(row.readSeq, message.seq);
}

function changedChatId(change: Change): string {
  return change.type === 'chat'
    ? change.chat.id
    : change.type === 'message'
      ? change.message.chatId
      : change.chatId;
}

/**
 * Applies pulled (or pushed-over-WebSocket) changes and moves the cursor, in ONE transaction:
 * a crash between the two would otherwise skip changes or apply them twice. Applying the same
 * change twice is harmless (every write is keyed by id and markers only go up), and a page older
 * than the stored cursor never moves it back. The loop over the page is synchronous on purpose:
 * one bulk read, one bulk write per table, so a page of 1,000 costs a handful of requests.
 */
export async function applyChanges(
  db: ParleyDB,
  changes: Change[],
  cursor: number,
  me: string
): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const ids = [...new Set(changes.map(changedChatId))];
    const existing = await db.chats.bulkGet(ids);
    const chats = new Map(ids.map((id, i) => [id, existing[i] ?? emptyChat(id)]));
    const newest = new Map<string, MessageRow>();
    const messages: MessageRow[] = [];
    for (const change of changes) {
      const row = chats.get(changedChatId(change))!;
      if (change.type === 'chat') {
        row.server = change.chat;
        row.refused = null;
      } else if (change.type === 'message') {
        const message = messageFromServer(change.message);
        messages.push(message);
        noteMessage(row, change.message, me);
        const top = newest.get(message.chatId);
        if (!top || message.order > top.order) newest.set(message.chatId, message);
      } else if (change.userId === me) {
        row.readSeq = Math.max(row.readSeq, change.seq);
      } else {
        row.reads = {
          ...row.reads,
          [change.userId]: Math.max(row.reads[change.userId] ?? 0, change.seq)
        };
      }
    }
    await db.messages.bulkPut(messages);
    // Chats where this device has nothing pending take the fast path: no reads, one bulk write.
    // The others (a pulled copy may replace a pending message) are rebuilt from what is stored.
    const queued = new Set((await db.outbox.toArray()).map((m) => m.chatId));
    const slow: string[] = [];
    const rows: ChatRow[] = [];
    for (const [chatId, row] of chats) {
      rows.push(row);
      if (queued.has(chatId) || row.pending > 0 || row.preview?.pending) {
        slow.push(chatId);
        continue;
      }
      const top = newest.get(chatId);
      const keep = row.preview !== null && (!top || row.preview.order >= top.order);
      rows[rows.length - 1] = figures(replay(row, true, [], me), keep ? 'keep' : top, 0);
    }
    await db.chats.bulkPut(rows);
    for (const chatId of slow) await recomputeChat(db, chatId, me);
    const stored = await getMeta(db, 'cursor', 0);
    if (cursor > stored) await db.meta.put({ key: 'cursor', value: cursor });
  });
}

/**
 * First sync of this device: the current state of every chat and its recent messages, and the
 * cursor to pull from. Chats this device created offline and the server does not know yet stay.
 */
export async function applyBootstrap(
  db: ParleyDB,
  boot: BootstrapResponse,
  me: string
): Promise<void> {
  await db.transaction('rw', syncTables(db), async () => {
    const changes: Change[] = [
      ...boot.chats.map((chat): Change => ({ cursor: 0, type: 'chat', chat })),
      ...boot.messages.map((message): Change => ({ cursor: 0, type: 'message', message }))
    ];
    await applyChanges(db, changes, boot.cursor, me);
    await db.meta.put({ key: 'bootstrapped', value: true });
  });
}

/** Older messages fetched on scroll. No cursor involved: they are already in the past. */
export async function applyHistory(
  db: ParleyDB,
  messages: MessageState[],
  me: string
): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction('rw', syncTables(db), async () => {
    await db.messages.bulkPut(messages.map(messageFromServer));
    const chatIds = new Set(messages.map((m) => m.chatId));
    for (const chatId of chatIds) await recomputeChat(db, chatId, me);
  });
}

export type ResultOutcome = {
  /** The server saw a gap before this batch: the mutations must be pushed again from the start. */
  gap: boolean;
  applied: number;
  rejected: number;
};

/**
 * Applies the server's answer to a pushed batch. `applied`: the mutation leaves the outbox and a
 * sent message takes its server place. `rejected` (final): the mutation leaves the outbox and what
 * it did is undone on the device; a message stays, marked "Not sent" with the reason, so nothing
 * typed is lost. `sequence_gap` is not final: the mutation stays and is pushed again.
 * One transaction, so a crash midway replays the whole answer (the server answers again the same).
 */
export async function applyResults(
  db: ParleyDB,
  mutations: Mutation[],
  results: MutationResult[],
  me: string
): Promise<ResultOutcome> {
  const outcome: ResultOutcome = { gap: false, applied: 0, rejected: 0 };
  await db.transaction('rw', syncTables(db), async () => {
    const touched = new Set<string>();
    const bySeq = new Map(mutations.map((m) => [m.seq, m]));
    for (const result of results) {
      const row = await db.outbox.get(result.seq);
      // Answered already (a second tab, a replayed answer), or not ours: nothing left to do.
      if (!row || row.id !== result.id || !bySeq.has(result.seq)) continue;
      if (result.status === 'rejected' && result.code === 'sequence_gap') {
        outcome.gap = true;
        continue;
      }
      await db.outbox.delete(row.seq);
      touched.add(row.chatId);
      if (result.status === 'applied') {
        outcome.applied++;
        await onApplied(db, row, result.chatSeq);
      } else {
        outcome.rejected++;
        const details = (result as { details?: Record<string, unknown> }).details;
        await onRejected(db, row, { code: result.code, message: result.message }, details, me);
      }
    }
    for (const chatId of touched) {
      await recomputeChat(db, chatId, me);
      await dropIfMoved(db, chatId);
    }
  });
  return outcome;
}

/** A local 1:1 chat whose messages all went to the existing one has nothing left to show. */
async function dropIfMoved(db: ParleyDB, chatId: string): Promise<void> {
  const chat = await db.chats.get(chatId);
  if (!chat?.movedTo) return;
  const left =
    (await db.outbox.where('chatId').equals(chatId).count()) +
    (await db.messages
      .where('[chatId+order]')
      .between([chatId, Dexie.minKey], [chatId, Dexie.maxKey])
      .count());
  if (left === 0) await db.chats.delete(chatId);
}

async function onApplied(db: ParleyDB, row: OutboxRow, chatSeq: number | undefined): Promise<void> {
  if (row.type !== 'message.send' || chatSeq === undefined) return;
  const message = await db.messages.get(row.args.messageId);
  if (message && message.seq === null) {
    await db.messages.put({
      ...message,
      seq: chatSeq,
      order: chatSeq,
      status: 'sent',
      refusal: null,
      createdAt: message.createdAt ?? message.sentAt
    });
  }
  const chat = await db.chats.get(row.chatId);
  if (chat) {
    await db.chats.put({
      ...chat,
      lastSeq: Math.max(chat.lastSeq, chatSeq),
      readSeq: Math.max(chat.readSeq, chatSeq)
    });
  }
}

async function onRejected(
  db: ParleyDB,
  row: OutboxRow,
  refusal: Refusal,
  details: Record<string, unknown> | undefined,
  me: string
): Promise<void> {
  const chat = await db.chats.get(row.chatId);
  if (row.type === 'message.send') {
    const message = await db.messages.get(row.args.messageId);
    // Already delivered (learned from a pull): a late duplicate_id says nothing new.
    if (!message || message.status === 'sent') return;
    if (chat?.movedTo) {
      // Typed into a 1:1 chat the server already had under another id: send it there.
      await db.messages.delete(message.id);
      await enqueueMessage(db, chat.movedTo, message.body, me);
      await recomputeChat(db, chat.movedTo, me);
      return;
    }
    await db.messages.put({ ...message, status: 'failed', refusal });
    return;
  }
  if (!chat) return;
  const creates = createsChat(row.type);
  if (
    (row.type === 'chat.createDirect' || row.type === 'chat.startExternal') &&
    refusal.code === 'direct_chat_exists' &&
    typeof details?.chatId === 'string'
  ) {
    await db.chats.put({ ...chat, movedTo: details.chatId });
  } else if (creates && !chat.server) {
    await db.chats.put({ ...chat, refused: refusal });
  } else if (row.type !== 'chat.read') {
    // The change is undone by the replay; the notice tells the user why it did not stick.
    await db.chats.put({ ...chat, notice: { ...refusal, type: row.type } });
  }
}
