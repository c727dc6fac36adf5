// What each mutation does once every rule has let it through. An applier may still refuse (a
// 1:1 chat that already exists, a message id already taken, the cap), but only before writing
// anything it would not keep (a place toward the cap is given back).
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Mutation } from '../../../common/protocol.ts';
import { prepared, tables, type Db } from '../../store/index.ts';
import { leaveChat } from './membership.ts';
import { chatChanges, type NewChange } from './changes.ts';
import { recordCapReached } from '../external/audit-events.ts';
import { takeCapPlaces } from '../external/cap.ts';
import { resend, revoke } from '../external/invitation-control.ts';
import { accept, block, decline } from '../external/request-answers.ts';
import { messageAudience, sharesReadReceipts } from '../external/request-rules.ts';
import { startExternal } from '../external/start-external.ts';
import {
  directKey,
  findDirectChat,
  refusals,
  takenChatId,
  type ChatAccess,
  type MutationContext,
  type Refusal
} from './rules.ts';

export type Applied = { chatSeq?: number; changes: NewChange[] };

type Applier<T extends Mutation['type']> = (
  tx: Db,
  context: MutationContext,
  mutation: Extract<Mutation, { type: T }>
) => Promise<Applied | Refusal>;

const { chats, chatMembers, chatAliases, messages } = tables;
const p = sql.placeholder;

const setLastSeq = prepared('set_last_seq', (db, name) =>
  db
    .update(chats)
    .set({ lastSeq: sql`${p('seq')}` })
    .where(eq(chats.id, p('chatId')))
    .prepare(name)
);

const insertMessage = prepared('insert_message', (db, name) =>
  db
    .insert(messages)
    .values({
      id: p('id'),
      chatId: p('chatId'),
      seq: p('seq'),
      authorId: p('authorId'),
      body: p('body'),
      sentAt: p('sentAt'),
      createdAt: p('createdAt')
    })
    .onConflictDoNothing({ target: messages.id })
    .returning({ id: messages.id })
    .prepare(name)
);

/** The chat a rule has already found the actor to be a member of. */
async function memberChat(context: MutationContext, chatId: string): Promise<ChatAccess> {
  const access = await context.chat(chatId);
  if (!access) throw new Error(`chat ${chatId} passed the membership rule but is missing`);
  return access;
}

const createDirect: Applier<'chat.createDirect'> = (tx, context, { args }) =>
  createDirectChat(tx, context, args.chatId, args.userId);

/**
 * A 1:1 chat between the actor and `otherId` (checked by the rules: a colleague or an accepted
 * contact). The chat id is checked here, not by a rule, because `chat.startExternal` to a
 * colleague's address comes here too.
 */
export async function createDirectChat(
  tx: Db,
  context: MutationContext,
  chatId: string,
  otherId: string
): Promise<Applied | Refusal> {
  const { actor, now } = context;
  if (otherId === actor.id) return refusals.userNotFound();
  const taken = await takenChatId(tx, chatId, directKey(actor.id, otherId));
  if (taken) return taken;
  const existing = await findDirectChat(tx, actor.id, otherId);
  if (existing) {
    // The device made up its own id for a chat that exists: what it queued for that id (sent
    // while offline) goes to the real chat instead of being refused.
    await tx
      .insert(chatAliases)
      .values({ aliasId: chatId, userId: actor.id, chatId: existing })
      .onConflictDoNothing();
    return refusals.directChatExists(existing);
  }
  await tx.insert(chats).values({
    id: chatId,
    kind: 'direct',
    name: null,
    createdBy: actor.id,
    createdAt: now,
    lastSeq: 0,
    directKey: directKey(actor.id, otherId)
  });
  await tx
    .insert(chatMembers)
    .values([actor.id, otherId].map((userId) => ({ chatId, userId, joinedAt: now, readSeq: 0 })));
  return { changes: await chatChanges(tx, chatId) };
}

const createGroup: Applier<'chat.createGroup'> = async (tx, context, { args }) => {
  const { actor, now } = context;
  const members = [...new Set([actor.id, ...args.memberIds])];
  await tx.insert(chats).values({
    id: args.chatId,
    kind: 'group',
    name: args.name.trim(),
    createdBy: actor.id,
    createdAt: now,
    lastSeq: 0,
    directKey: null
  });
  await tx
    .insert(chatMembers)
    .values(members.map((userId) => ({ chatId: args.chatId, userId, joinedAt: now, readSeq: 0 })));
  return { changes: await chatChanges(tx, args.chatId) };
};

const rename: Applier<'chat.rename'> = async (tx, context, { args }) => {
  const { chat } = await memberChat(context, args.chatId);
  const name = args.name.trim();
  if (name === chat.name) return { changes: [] };
  await tx.update(chats).set({ name }).where(eq(chats.id, chat.id));
  return { changes: await chatChanges(tx, chat.id) };
};

const addMembers: Applier<'chat.addMembers'> = async (tx, context, { args }) => {
  const { chat, memberIds } = await memberChat(context, args.chatId);
  const current = new Set(memberIds);
  const joining = [...new Set(args.userIds)].filter((id) => !current.has(id));
  if (joining.length === 0) return { changes: [] };
  const { now } = context;
  // People who left earlier come back on their old row (their read marker is kept).
  await tx
    .update(chatMembers)
    .set({ leftAt: null, joinedAt: now })
    .where(and(eq(chatMembers.chatId, chat.id), inArray(chatMembers.userId, joining)));
  await tx
    .insert(chatMembers)
    .values(joining.map((userId) => ({ chatId: chat.id, userId, joinedAt: now, readSeq: 0 })))
    .onConflictDoNothing();
  return { changes: await chatChanges(tx, chat.id) };
};

async function removeFromChat(tx: Db, context: MutationContext, chatId: string, userId: string) {
  const { chat } = await memberChat(context, chatId);
  await leaveChat(tx, chat.id, userId, context.now);
  return { changes: await chatChanges(tx, chat.id, [userId]) };
}

const removeMember: Applier<'chat.removeMember'> = (tx, context, { args }) =>
  removeFromChat(tx, context, args.chatId, args.userId);

const leave: Applier<'chat.leave'> = (tx, context, { args }) =>
  removeFromChat(tx, context, args.chatId, context.actor.id);

const send: Applier<'message.send'> = async (tx, context, mutation) => {
  const { args } = mutation;
  // The chat row was read in this transaction (and is locked on PostgreSQL): its next place is
  // free. The message goes in first, so that a taken id is refused before anything is written.
  const access = await memberChat(context, args.chatId);
  const { chat, memberIds } = access;
  // Before acceptance the send takes its place toward the cap first (docs/external-contacts.md).
  const places = await takeCapPlaces(tx, context, access);
  if ('code' in places) return places;
  const seq = Number(chat.lastSeq) + 1;
  const inserted = await insertMessage(tx).execute({
    id: args.messageId,
    chatId: chat.id,
    seq,
    authorId: context.actor.id,
    body: args.body.trim(),
    sentAt: new Date(mutation.at),
    createdAt: context.now
  });
  if (inserted.length === 0) {
    await places.giveBack();
    return refusals.duplicateId();
  }
  const { audience, changes } = await messageAudience(tx, context, chat, memberIds);
  await setLastSeq(tx).execute({ chatId: chat.id, seq });
  if (places.reached) await recordCapReached(tx, context, chat);
  return {
    chatSeq: seq,
    changes: [
      ...changes,
      ...audience.map((userId) => ({
        userId,
        kind: 'message' as const,
        chatId: chat.id,
        messageId: args.messageId
      }))
    ]
  };
};

/** A read marker only moves forward, and never past the last message. */
const read: Applier<'chat.read'> = async (tx, context, { args }) => {
  const { chat, memberIds } = await memberChat(context, args.chatId);
  const seq = Math.min(args.seq, Number(chat.lastSeq));
  const moved = await tx
    .update(chatMembers)
    .set({ readSeq: seq })
    .where(
      and(
        eq(chatMembers.chatId, chat.id),
        eq(chatMembers.userId, context.actor.id),
        isNull(chatMembers.leftAt),
        lt(chatMembers.readSeq, seq)
      )
    )
    .returning({ readSeq: chatMembers.readSeq });
  if (moved.length === 0) return { changes: [] };
  // A read receipt for every member, except in a request not yet accepted (docs/external-contacts.md).
  const { actor } = context;
  const audience = (await sharesReadReceipts(tx, chat)) ? memberIds : [actor.id];
  return {
    changes: audience.map((userId) => ({
      userId,
      kind: 'read' as const,
      chatId: chat.id,
      seq,
      readerId: actor.id
    }))
  };
};

export function applyMutation(
  tx: Db,
  context: MutationContext,
  mutation: Mutation
): Promise<Applied | Refusal> {
  switch (mutation.type) {
    case 'chat.createDirect':
      return createDirect(tx, context, mutation);
    case 'chat.createGroup':
      return createGroup(tx, context, mutation);
    case 'chat.rename':
      return rename(tx, context, mutation);
    case 'chat.addMembers':
      return addMembers(tx, context, mutation);
    case 'chat.removeMember':
      return removeMember(tx, context, mutation);
    case 'chat.leave':
      return leave(tx, context, mutation);
    case 'message.send':
      return send(tx, context, mutation);
    case 'chat.read':
      return read(tx, context, mutation);
    case 'chat.startExternal':
      return startExternal(tx, context, mutation);
    case 'request.accept':
      return accept(tx, context, mutation);
    case 'request.decline':
      return decline(tx, context, mutation);
    case 'request.block':
      return block(tx, context, mutation);
    case 'invitation.resend':
      return resend(tx, context, mutation);
    case 'invitation.revoke':
      return revoke(tx, context, mutation);
  }
}
