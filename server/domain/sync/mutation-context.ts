// The context each pushed mutation runs in (context.ts), built inside the push's transaction:
// the chats it names, each loaded once (and locked on PostgreSQL until commit), the actor's
// organization, read once per transaction, and where its email and SMS wait until it is applied.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Outgoing } from '../../messaging/transports.ts';
import { prepared, tables, type Db, type Store } from '../../store/index.ts';
import type { OrganizationRow } from '../../store/schema.ts';
import { effectiveSetting, organizationFor } from '../external/policy.ts';
import type { Actor, ChatAccess, ExternalOptions, MutationContext } from './context.ts';

const { chats, chatMembers, chatAliases, users, organizations } = tables;
const p = sql.placeholder;

/** The chat with its current members and what the read-only rule needs of each. */
const chatWithMembers = (db: Db) =>
  db
    .select({
      chat: chats,
      userId: chatMembers.userId,
      organizationId: users.organizationId,
      outboundOverride: users.outboundOverride,
      outbound: organizations.outboundExternal
    })
    .from(chats)
    .leftJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), isNull(chatMembers.leftAt)))
    .leftJoin(users, eq(users.id, chatMembers.userId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(chats.id, p('chatId')));
/** PostgreSQL keeps the chat row (only it) locked until commit. */
const lockChat = prepared('lock_chat', (db, name) =>
  chatWithMembers(db).for('update', { of: chats }).prepare(name)
);
const readChat = prepared('read_chat', (db, name) => chatWithMembers(db).prepare(name));

const followAlias = prepared('follow_alias', (db, name) =>
  db
    .select({ chatId: chatAliases.chatId })
    .from(chatAliases)
    .where(and(eq(chatAliases.aliasId, p('aliasId')), eq(chatAliases.userId, p('userId'))))
    .prepare(name)
);

/** What the mutations of one transaction share. */
export type PerTransaction = { organization?: Promise<OrganizationRow | null> };

/** Builds each mutation's context; on PostgreSQL the chats it reads stay locked until commit. */
export function mutationContexts(dialect: Store['dialect'], external: ExternalOptions) {
  const chatQuery = dialect === 'postgres' ? lockChat : readChat;

  /** Reads the chat and its members; on PostgreSQL locks the chat row until commit. */
  async function loadChat(tx: Db, chatId: string, actorId: string): Promise<ChatAccess | null> {
    const rows = await chatQuery(tx).execute({ chatId });
    const chat = rows[0]?.chat;
    if (!chat) {
      const [alias] = await followAlias(tx).execute({ aliasId: chatId, userId: actorId });
      return alias ? loadChat(tx, alias.chatId, actorId) : null;
    }
    const members = rows
      .flatMap(({ userId, organizationId, outboundOverride, outbound }) =>
        userId === null
          ? []
          : [{ userId, organizationId, outboundOpen: effectiveSetting(outboundOverride, outbound) }]
      )
      .sort((a, b) => (a.userId < b.userId ? -1 : 1));
    return { chat, memberIds: members.map((member) => member.userId), members };
  }

  return function contextFor(
    tx: Db,
    actor: Actor,
    deviceId: string,
    at: Date,
    shared: PerTransaction,
    outgoing: Outgoing[]
  ): MutationContext {
    const loaded = new Map<string, Promise<ChatAccess | null>>();
    return {
      actor,
      deviceId,
      now: at,
      external,
      organization() {
        shared.organization ??= organizationFor(tx, actor.id);
        return shared.organization;
      },
      deliver(message) {
        outgoing.push(message);
      },
      chat(chatId) {
        let access = loaded.get(chatId);
        if (!access) {
          access = loadChat(tx, chatId, actor.id);
          loaded.set(chatId, access);
        }
        return access;
      }
    };
  };
}
