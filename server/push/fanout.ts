// Push notifications for committed messages: an effect after commit (the sync engine's
// `onMessages`). For each recipient device with a subscription, in a chat it has not muted and
// not connected and showing the app, one push goes into the durable outgoing queue; the queue
// sends it (transport.ts). A crash between the message's commit and this enqueue loses the
// push, never the message.
import { and, count, eq, gt, inArray, isNull, lt, ne } from 'drizzle-orm';
import type { Notifier } from '../messaging/notifier.ts';
import type { OutgoingPush } from '../messaging/transports.ts';
import { tables, type Db, type Store } from '../store/index.ts';
import type { Locale } from '../store/schema.ts';
import { areExternal } from '../domain/external/policy.ts';
import { mutedAmong } from './mutes.ts';
import { chatTopic, messagePayload, requestPayload, type PushPayload } from './payload.ts';
import { subscriptionsOf } from './subscriptions.ts';

/** One message a commit stored, and one person who may see it (the change log's entry). */
export type StoredMessage = { userId: string; chatId: string; messageId: string };

/** Which sessions show the app right now (the WebSocket hub of this instance). */
export type Presence = { showing(sessionHash: string): boolean };

const { messages, chats, users, organizations, messageRequests, chatMembers } = tables;

export class PushFanout {
  /** Set once the WebSocket hub runs (main.ts); none: every subscribed device gets its push. */
  presence: Presence | null = null;
  private readonly running = new Set<Promise<void>>();

  constructor(
    /** The VAPID public key browsers subscribe with (base64url). */
    readonly publicKey: string,
    private readonly store: Store,
    private readonly notifier: Notifier,
    private readonly now: () => Date
  ) {}

  /** The hook: returns at once, so that the sender's answer never waits for pushes. */
  afterCommit(stored: StoredMessage[]): void {
    // Started on the next turn of the event loop, once the sender's answer is on its way
    // (SQLite's queries run synchronously: started now, they would delay it).
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.enqueue(stored))
      .then((queued) => {
        if (queued > 0) this.notifier.wake();
      })
      .catch((error: unknown) => console.error('[push] could not queue pushes', error))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves once what was committed so far is in the queue (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /** Queues the pushes of `stored`; returns how many. */
  async enqueue(stored: StoredMessage[]): Promise<number> {
    const byMessage = new Map<string, { chatId: string; userIds: string[] }>();
    for (const { messageId, chatId, userId } of stored) {
      const entry = byMessage.get(messageId) ?? { chatId, userIds: [] };
      entry.userIds.push(userId);
      byMessage.set(messageId, entry);
    }
    const pushes: OutgoingPush[] = [];
    await this.store.read(async (db) => {
      for (const [messageId, { userIds }] of byMessage) {
        pushes.push(...(await this.pushesFor(db, messageId, userIds)));
      }
    });
    if (pushes.length > 0) await this.store.tx((tx) => this.notifier.enqueue(tx, ...pushes));
    return pushes.length;
  }

  private async pushesFor(db: Db, messageId: string, audience: string[]): Promise<OutgoingPush[]> {
    const [message] = await db
      .select({
        chatId: messages.chatId,
        seq: messages.seq,
        authorId: messages.authorId,
        body: messages.body,
        kind: chats.kind,
        chatName: chats.name,
        authorName: users.name,
        authorOrganizationId: users.organizationId,
        authorOrganizationName: organizations.name,
        authorPreviews: organizations.notificationPreviews
      })
      .from(messages)
      .innerJoin(chats, eq(chats.id, messages.chatId))
      .innerJoin(users, eq(users.id, messages.authorId))
      .leftJoin(organizations, eq(organizations.id, users.organizationId))
      .where(eq(messages.id, messageId));
    if (!message) return [];
    const { chatId } = message;
    const at = this.now();
    const others = audience.filter((id) => id !== message.authorId);
    const muted = await mutedAmong(db, chatId, others, at);
    const recipients = others.filter((id) => !muted.has(id));
    const subscriptions = (await subscriptionsOf(db, recipients)).filter(
      (s) => !this.presence?.showing(s.sessionHash)
    );
    if (subscriptions.length === 0) return [];

    const [request] = await db
      .select()
      .from(messageRequests)
      .where(eq(messageRequests.chatId, chatId));
    const pendingFor =
      request?.status === 'pending' && request.senderId === message.authorId
        ? request.recipientId
        : null;
    // A request notifies once: for the sender's first message in it.
    const firstOfRequest =
      pendingFor !== null && !(await wroteBefore(db, chatId, message.authorId, message.seq));

    const people = await recipientDetails(db, [...new Set(subscriptions.map((s) => s.userId))]);
    const pushes: OutgoingPush[] = [];
    for (const subscription of subscriptions) {
      const person = people.get(subscription.userId);
      if (!person) continue;
      const author = {
        name: message.authorName,
        organizationName: message.authorOrganizationName,
        external: areExternal(message.authorOrganizationId, person.organizationId)
      };
      let payload: PushPayload;
      if (subscription.userId === pendingFor) {
        if (!firstOfRequest) continue;
        payload = requestPayload({ chatId, author, locale: person.locale, unread: person.unread });
      } else {
        payload = messagePayload({
          chatId,
          chatName: message.kind === 'group' ? message.chatName : null,
          author,
          text: message.body,
          // Either side's organization may keep its messages off lock screens.
          previews: person.previews && message.authorPreviews !== false,
          locale: person.locale,
          unread: person.unread
        });
      }
      pushes.push({
        channel: 'push',
        to: subscription.id,
        text: JSON.stringify(payload),
        urgency: message.kind === 'direct' || payload.kind === 'request' ? 'high' : 'normal',
        topic: chatTopic(chatId)
      });
    }
    return pushes;
  }
}

async function wroteBefore(db: Db, chatId: string, authorId: string, seq: number) {
  const [earlier] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.chatId, chatId), eq(messages.authorId, authorId), lt(messages.seq, seq)))
    .limit(1);
  return earlier !== undefined;
}

type Recipient = {
  organizationId: string | null;
  locale: Locale;
  previews: boolean;
  unread: number;
};

/** Each recipient's organization, language, previews setting and unread messages (for the badge). */
async function recipientDetails(db: Db, userIds: string[]): Promise<Map<string, Recipient>> {
  const rows = await db
    .select({
      id: users.id,
      organizationId: users.organizationId,
      locale: users.locale,
      previews: organizations.notificationPreviews
    })
    .from(users)
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(inArray(users.id, userIds));
  // Other people's messages after each read marker, in the chats the person is still in.
  const unread = await db
    .select({ userId: chatMembers.userId, unread: count(messages.id) })
    .from(chatMembers)
    .innerJoin(
      messages,
      and(
        eq(messages.chatId, chatMembers.chatId),
        gt(messages.seq, chatMembers.readSeq),
        ne(messages.authorId, chatMembers.userId)
      )
    )
    .where(and(inArray(chatMembers.userId, userIds), isNull(chatMembers.leftAt)))
    .groupBy(chatMembers.userId);
  const unreadOf = new Map(unread.map((row) => [row.userId, Number(row.unread)]));
  return new Map(
    rows.map((row) => [
      row.id,
      {
        organizationId: row.organizationId,
        locale: row.locale ?? 'en',
        previews: row.previews !== false,
        unread: unreadOf.get(row.id) ?? 0
      }
    ])
  );
}
