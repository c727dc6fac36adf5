// The read side of sync: pull (the change log after a cursor), bootstrap (the current state of
// every chat a user is in) and history (older messages of one chat). Reads only, on committed
// data. docs/sync-protocol.md (Pull) is the contract.
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import {
  RECENT_MESSAGES_PER_CHAT,
  type BootstrapResponse,
  type HistoryResponse,
  type PullResponse
} from '../../../common/protocol.ts';
import { tables, type Store } from '../../store/index.ts';
import { currentCursor, readChanges } from './changes.ts';
import {
  chatMemberRows,
  requestViewRows,
  toChatState,
  toMessageState,
  type MemberRow
} from './views.ts';

const { chats, chatMembers, messages } = tables;

export function createSyncReads(store: Store) {
  return {
    pull(userId: string, after: number, limit: number): Promise<PullResponse> {
      return store.read((db) => readChanges(db, userId, after, limit));
    },

    /** Current state: every chat the user is in, the last messages of each, and the cursor. */
    bootstrap(userId: string): Promise<BootstrapResponse> {
      return store.read(async (db) => {
        // The cursor first: anything committed after it is pulled again, and applying a change
        // twice is harmless; reading it last could skip a change.
        const cursor = await currentCursor(db, userId);
        const mine = db
          .select({ chatId: chatMembers.chatId })
          .from(chatMembers)
          .where(and(eq(chatMembers.userId, userId), isNull(chatMembers.leftAt)));
        const chatRows = await db.select().from(chats).where(inArray(chats.id, mine));
        const byChat = new Map<string, MemberRow[]>();
        for (const row of await chatMemberRows(db, mine.getSQL())) {
          const rows = byChat.get(row.chatId);
          if (rows) rows.push(row);
          else byChat.set(row.chatId, [row]);
        }
        const requests = new Map(
          (await requestViewRows(db, mine.getSQL())).map((row) => [row.chatId, row])
        );
        // Sequences have no gaps, so "the last N" is a range of the (chat, seq) index.
        const recent = await db
          .select({ message: messages })
          .from(messages)
          .innerJoin(chats, eq(chats.id, messages.chatId))
          .where(
            and(
              inArray(messages.chatId, mine),
              gt(messages.seq, sql`${chats.lastSeq} - ${RECENT_MESSAGES_PER_CHAT}`)
            )
          )
          .orderBy(asc(messages.chatId), asc(messages.seq));
        return {
          cursor,
          chats: chatRows.map((chat) =>
            toChatState(chat, byChat.get(chat.id) ?? [], userId, requests.get(chat.id) ?? null)
          ),
          messages: recent.map((row) => toMessageState(row.message))
        };
      });
    },

    /** Messages before `before`, newest first; null when the user is not in the chat. */
    history(
      userId: string,
      chatId: string,
      before: number | undefined,
      limit: number
    ): Promise<HistoryResponse | null> {
      return store.read(async (db) => {
        const [member] = await db
          .select({ chatId: chatMembers.chatId })
          .from(chatMembers)
          .where(
            and(
              eq(chatMembers.chatId, chatId),
              eq(chatMembers.userId, userId),
              isNull(chatMembers.leftAt)
            )
          );
        if (!member) return null;
        const rows = await db
          .select()
          .from(messages)
          .where(
            and(
              eq(messages.chatId, chatId),
              before === undefined ? undefined : lt(messages.seq, before)
            )
          )
          .orderBy(desc(messages.seq))
          .limit(limit + 1);
        return {
          messages: rows.slice(0, limit).map(toMessageState),
          hasMore: rows.length > limit
        };
      });
    },

    cursor(userId: string): Promise<number> {
      return store.read((db) => currentCursor(db, userId));
    }
  };
}
