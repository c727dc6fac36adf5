// For unit specs only: a small in-memory server that follows docs/sync-protocol.md (exactly-once
// per device seq, gaps refused, per-chat order, a per-user change cursor), behind `Transport`.
import { NetworkError } from '$lib/api/client';
import type {
  Change,
  ChatState,
  MessageState,
  Mutation,
  MutationResult,
  PushRequest
} from '$common/protocol';
import type { Transport } from './transport';

type ChangeBody = Change extends infer C ? (C extends Change ? Omit<C, 'cursor'> : never) : never;
type Stored = { userId: string; lastSeq: number; results: Map<number, MutationResult> };

export class FakeServer {
  chats = new Map<string, ChatState>();
  messages: MessageState[] = [];
  changes: (Change & { userId: string })[] = [];
  devices = new Map<string, Stored>();
  cursor = 0;
  /** Every push request received, in order. */
  pushes: PushRequest[] = [];
  /** Refuse a message whose body starts with this (a stand-in for any server rule). */
  refusePrefix = 'REFUSE';

  constructor(readonly users: { id: string; name: string }[]) {}

  transport(userId: string, options: { online?: () => boolean } = {}): Transport {
    const online = options.online ?? (() => true);
    const check = () => {
      if (!online()) throw new NetworkError('offline');
    };
    return {
      push: (body) => {
        check();
        return Promise.resolve(this.push(userId, body));
      },
      pull: (cursor, limit = 500) => {
        check();
        const mine = this.changes.filter((c) => c.userId === userId && c.cursor > cursor);
        const page = mine.slice(0, limit).map(({ userId: _u, ...change }) => change as Change);
        return Promise.resolve({
          changes: page,
          cursor: page.at(-1)?.cursor ?? cursor,
          hasMore: mine.length > limit
        });
      },
      bootstrap: () => {
        check();
        const chats = [...this.chats.values()].filter((c) =>
          c.members.some((m) => m.userId === userId)
        );
        const ids = new Set(chats.map((c) => c.id));
        return Promise.resolve({
          cursor: this.cursor,
          chats,
          messages: this.messages.filter((m) => ids.has(m.chatId))
        });
      },
      history: (chatId, before, limit = 50) => {
        check();
        const older = this.messages
          .filter((m) => m.chatId === chatId && m.seq < before)
          .sort((a, b) => b.seq - a.seq);
        return Promise.resolve({ messages: older.slice(0, limit), hasMore: older.length > limit });
      },
      directory: () => Promise.resolve([])
    };
  }

  /** A chat both users are in, as if created earlier. */
  addChat(id: string, memberIds: string[]): ChatState {
    const chat: ChatState = {
      id,
      kind: 'group',
      name: 'Team',
      createdBy: memberIds[0] ?? '',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeq: 0,
      readSeq: 0,
      active: true,
      external: false,
      request: null,
      members: memberIds.map((userId) => ({
        userId,
        name: this.users.find((u) => u.id === userId)?.name ?? userId,
        organization: 'Contoso',
        external: false,
        joinedAt: '2026-01-01T00:00:00.000Z'
      }))
    };
    this.chats.set(id, chat);
    this.#emit(
      chat.members.map((m) => m.userId),
      { type: 'chat', chat }
    );
    return chat;
  }

  push(userId: string, { deviceId, mutations }: PushRequest): { results: MutationResult[] } {
    this.pushes.push({ deviceId, mutations });
    const device: Stored = this.devices.get(deviceId) ?? {
      userId,
      lastSeq: 0,
      results: new Map<number, MutationResult>()
    };
    this.devices.set(deviceId, device);
    const results: MutationResult[] = [];
    let gap = false;
    for (const m of mutations) {
      if (gap || m.seq > device.lastSeq + 1) {
        gap = true;
        results.push({
          id: m.id,
          seq: m.seq,
          status: 'rejected',
          code: 'sequence_gap',
          message: 'gap'
        });
        continue;
      }
      const recorded = device.results.get(m.seq);
      if (recorded) {
        results.push(
          recorded.id === m.id
            ? recorded
            : {
                id: m.id,
                seq: m.seq,
                status: 'rejected',
                code: 'sequence_conflict',
                message: 'conflict'
              }
        );
        continue;
      }
      const result = this.#apply(userId, m);
      device.results.set(m.seq, result);
      device.lastSeq = m.seq;
      results.push(result);
    }
    return { results };
  }

  #apply(userId: string, m: Mutation): MutationResult {
    const reject = (code: string): MutationResult => ({
      id: m.id,
      seq: m.seq,
      status: 'rejected',
      code,
      message: `refused: ${code}`
    });
    const chat = this.chats.get(m.args.chatId);
    if (m.type === 'message.send') {
      if (!chat || !chat.members.some((x) => x.userId === userId)) return reject('chat_not_found');
      if (m.args.body.startsWith(this.refusePrefix)) return reject('message_refused');
      chat.lastSeq++;
      const message: MessageState = {
        id: m.args.messageId,
        chatId: chat.id,
        seq: chat.lastSeq,
        authorId: userId,
        body: m.args.body,
        sentAt: m.at,
        createdAt: m.at
      };
      this.messages.push(message);
      this.#emit(
        chat.members.map((x) => x.userId),
        { type: 'message', message }
      );
      return { id: m.id, seq: m.seq, status: 'applied', chatSeq: message.seq };
    }
    if (m.type === 'chat.read') {
      if (!chat) return reject('chat_not_found');
      this.#emit([userId], { type: 'read', chatId: chat.id, userId, seq: m.args.seq });
      return { id: m.id, seq: m.seq, status: 'applied' };
    }
    if (m.type === 'chat.rename') {
      if (!chat) return reject('chat_not_found');
      if (!m.args.name.trim()) return reject('invalid_name');
      chat.name = m.args.name;
      this.#emit(
        chat.members.map((x) => x.userId),
        { type: 'chat', chat: { ...chat } }
      );
      return { id: m.id, seq: m.seq, status: 'applied' };
    }
    return reject('not_supported');
  }

  #emit(userIds: string[], change: ChangeBody): void {
    for (const userId of userIds) {
      this.cursor++;
      this.changes.push({ ...change, cursor: this.cursor, userId });
    }
  }
}
