// Who is in a chat. A member who goes (leaves, is removed, declines, is uninvited, loses a
// hidden request) keeps their row with `left_at` set, so that history still names them and a
// return reuses the row; the sync view reads `left_at` to show a chat as gone.
import { and, eq, isNull } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';

const { chatMembers } = tables;

/** Marks `userId` as gone from the chat at `now`; false when they were not in it. */
export async function leaveChat(
  tx: Db,
  chatId: string,
  userId: string,
  now: Date
): Promise<boolean> {
  const left = await tx
    .update(chatMembers)
    .set({ leftAt: now })
    .where(
      and(
        eq(chatMembers.chatId, chatId),
        eq(chatMembers.userId, userId),
        isNull(chatMembers.leftAt)
      )
    )
    .returning({ userId: chatMembers.userId });
  return left.length > 0;
}
