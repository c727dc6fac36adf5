// Muted chats: a person's choice, on every device, until a time or until turned on again. A
// muted chat never pushes. Set by the `chat.mute` / `chat.unmute` mutations (sync/chats.ts).
import { and, eq, gt, inArray, isNull, or } from 'drizzle-orm';
import { tables, type Db } from '../store/index.ts';

const { chatMutes } = tables;

/** `until` null: muted until turned on. */
export async function muteChat(
  tx: Db,
  userId: string,
  chatId: string,
  until: Date | null,
  now: Date
): Promise<void> {
  await tx
    .insert(chatMutes)
    .values({ userId, chatId, until, createdAt: now })
    .onConflictDoUpdate({ target: [chatMutes.userId, chatMutes.chatId], set: { until } });
}

export async function unmuteChat(tx: Db, userId: string, chatId: string): Promise<void> {
  await tx.delete(chatMutes).where(and(eq(chatMutes.userId, userId), eq(chatMutes.chatId, chatId)));
}

/** Of `userIds`, those who have `chatId` muted at `now`. */
export async function mutedAmong(
  db: Db,
  chatId: string,
  userIds: string[],
  now: Date
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .select({ userId: chatMutes.userId })
    .from(chatMutes)
    .where(
      and(
        eq(chatMutes.chatId, chatId),
        inArray(chatMutes.userId, userIds),
        or(isNull(chatMutes.until), gt(chatMutes.until, now))
      )
    );
  return new Set(rows.map((row) => row.userId));
}
