// The chat mutations (docs/sync-protocol.md): create a 1:1 or a group, rename, add and remove
// members, leave, move the read marker, mute. Each one's rules, then its write.
import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import { characterCount, MAX_GROUP_NAME_LENGTH } from '../../../common/limits.ts';
import { MAX_MUTE_MS } from '../../../common/protocol.ts';
import { muteChat, unmuteChat } from '../../push/mutes.ts';
import { tables, type Db } from '../../store/index.ts';
import { blockedByMembersOrganizations, mayReach, writeClosedReason } from '../external/policy.ts';
import { sharesReadReceipts } from '../external/request-rules.ts';
import { chatChanges } from './changes.ts';
import {
  closedRefusal,
  directKey,
  findDirectChat,
  MAX_GROUP_MEMBERS,
  memberChat,
  membersOnly,
  pointAtExistingChat,
  policyRefusal,
  refusals,
  refuse,
  takenChatId,
  type Applied,
  type Handler,
  type MutationContext,
  type MutationOf,
  type Refusal,
  type Rule
} from './context.ts';
import { leaveChat } from './membership.ts';

const { chats, chatMembers } = tables;

type ChangesMembers = 'chat.rename' | 'chat.addMembers' | 'chat.removeMember' | 'chat.leave';
type BringsPeople = 'chat.createDirect' | 'chat.createGroup' | 'chat.addMembers';

/** Group names are trimmed before they are checked and stored. */
const validName: Rule<'chat.createGroup' | 'chat.rename'> = (_tx, _context, { args }) => {
  const name = args.name.trim();
  return Promise.resolve(
    name === '' || characterCount(name) > MAX_GROUP_NAME_LENGTH
      ? refuse('invalid_name', `A group name needs 1 to ${MAX_GROUP_NAME_LENGTH} characters.`)
      : null
  );
};

/** A 1:1 chat keeps its two members and has no name. */
const directChatsAreFixed: Rule<ChangesMembers> = async (_tx, context, { args }) => {
  const access = await context.chat(args.chatId);
  return access?.chat.kind === 'direct'
    ? refuse('direct_chat_fixed', 'A 1:1 chat cannot be renamed, left or change members.')
    : null;
};

/** Nobody renames or adds people to a chat that an organization's policy closed. */
const openChatsOnly: Rule<'chat.rename' | 'chat.addMembers'> = async (_tx, context, { args }) => {
  const access = await context.chat(args.chatId);
  return access && closedRefusal(writeClosedReason(access.chat, access.members, context.actor.id));
};

/** The people a mutation brings into a chat, besides the actor. */
function invitedPeople(mutation: MutationOf<BringsPeople>, actorId: string): string[] {
  switch (mutation.type) {
    case 'chat.createDirect':
      return [mutation.args.userId];
    case 'chat.createGroup':
      return [...new Set(mutation.args.memberIds)].filter((id) => id !== actorId);
    case 'chat.addMembers':
      return [...new Set(mutation.args.userIds)];
  }
}

/**
 * People are put in a chat only by a colleague of their organization or by an accepted contact
 * (docs/external-contacts.md); nobody can start a 1:1 with themselves.
 */
const reachablePeopleOnly: Rule<BringsPeople> = async (tx, context, mutation) => {
  const invited = invitedPeople(mutation, context.actor.id);
  if (invited.length === 0) return null;
  if (mutation.type === 'chat.createDirect' && invited[0] === context.actor.id) {
    return refusals.userNotFound();
  }
  const reach = await mayReach(tx, context.actor, await context.organization(), invited);
  if (reach.ok && mutation.type === 'chat.addMembers') {
    // Nor may anyone bring in someone whom another organization in the chat blocked.
    const access = await context.chat(mutation.args.chatId);
    if (access && (await blockedByMembersOrganizations(tx, access.members, invited))) {
      return refusals.recipientUnavailable();
    }
  }
  return reach.ok ? null : policyRefusal(reach.reason);
};

const removesAMember: Rule<'chat.removeMember'> = async (_tx, context, { args }) => {
  const access = await context.chat(args.chatId);
  return access?.memberIds.includes(args.userId)
    ? null
    : refuse('not_a_member', 'This person is not in the chat.');
};

const groupSizeLimit: Rule<'chat.createGroup' | 'chat.addMembers'> = async (
  _tx,
  context,
  mutation
) => {
  let size: number;
  if (mutation.type === 'chat.createGroup') {
    size = 1 + invitedPeople(mutation, context.actor.id).length;
  } else {
    const access = await context.chat(mutation.args.chatId);
    const current = new Set(access?.memberIds);
    size = current.size + invitedPeople(mutation, '').filter((id) => !current.has(id)).length;
  }
  return size > MAX_GROUP_MEMBERS
    ? refuse('group_full', `A group chat has at most ${MAX_GROUP_MEMBERS} members.`)
    : null;
};

/**
 * A group's id must be new. (A taken message id is refused by the insert itself, which costs
 * no extra lookup; a 1:1's id is checked in `createDirectChat`, at its place in the order.)
 */
const freshGroupId: Rule<'chat.createGroup'> = (tx, _context, { args }) =>
  takenChatId(tx, args.chatId, null);

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
  if (existing) return pointAtExistingChat(tx, actor.id, chatId, existing);
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

async function removeFromChat(tx: Db, context: MutationContext, chatId: string, userId: string) {
  const { chat } = await memberChat(context, chatId);
  await leaveChat(tx, chat.id, userId, context.now);
  return { changes: await chatChanges(tx, chat.id, [userId]) };
}

export const createDirect: Handler<'chat.createDirect'> = {
  rules: [reachablePeopleOnly],
  apply: (tx, context, { args }) => createDirectChat(tx, context, args.chatId, args.userId)
};

export const createGroup: Handler<'chat.createGroup'> = {
  rules: [validName, reachablePeopleOnly, groupSizeLimit, freshGroupId],
  async apply(tx, context, { args }) {
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
      .values(
        members.map((userId) => ({ chatId: args.chatId, userId, joinedAt: now, readSeq: 0 }))
      );
    return { changes: await chatChanges(tx, args.chatId) };
  }
};

export const rename: Handler<'chat.rename'> = {
  rules: [validName, membersOnly, directChatsAreFixed, openChatsOnly],
  async apply(tx, context, { args }) {
    const { chat } = await memberChat(context, args.chatId);
    const name = args.name.trim();
    if (name === chat.name) return { changes: [] };
    await tx.update(chats).set({ name }).where(eq(chats.id, chat.id));
    return { changes: await chatChanges(tx, chat.id) };
  }
};

export const addMembers: Handler<'chat.addMembers'> = {
  rules: [membersOnly, directChatsAreFixed, openChatsOnly, reachablePeopleOnly, groupSizeLimit],
  async apply(tx, context, { args }) {
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
  }
};

export const removeMember: Handler<'chat.removeMember'> = {
  rules: [membersOnly, directChatsAreFixed, removesAMember],
  apply: (tx, context, { args }) => removeFromChat(tx, context, args.chatId, args.userId)
};

export const leave: Handler<'chat.leave'> = {
  rules: [membersOnly, directChatsAreFixed],
  apply: (tx, context, { args }) => removeFromChat(tx, context, args.chatId, context.actor.id)
};

/** A read marker only moves forward, and never past the last message. */
export const read: Handler<'chat.read'> = {
  rules: [membersOnly],
  async apply(tx, context, { args }) {
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
    // A read receipt for every member, except in a request not yet accepted
    // (docs/external-contacts.md).
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
  }
};

/**
 * A timed mute ends after the moment the person muted (their device's `at`: a mute queued
 * offline stays valid however late it arrives) and at most MAX_MUTE_MS after now.
 */
const sensibleMuteEnd: Rule<'chat.mute'> = (_tx, context, { at, args }) => {
  if (args.until === null) return Promise.resolve(null);
  const until = Date.parse(args.until);
  const valid = until > Date.parse(at) && until <= context.now.getTime() + MAX_MUTE_MS;
  return Promise.resolve(
    valid ? null : refuse('invalid_mute_until', 'A mute ends in the future, within a year.')
  );
};

/** A mute is the actor's own: only their devices hear of it, other members never do. */
async function ownChatChange(tx: Db, context: MutationContext, chatId: string) {
  const { chat } = await memberChat(context, chatId);
  return { changes: await chatChanges(tx, chat.id, [], [context.actor.id]) };
}

export const mute: Handler<'chat.mute'> = {
  rules: [membersOnly, sensibleMuteEnd],
  async apply(tx, context, { args }) {
    const { chat } = await memberChat(context, args.chatId);
    const until = args.until === null ? null : new Date(args.until);
    // Queued offline and arrived after its end: it would already be over, so nothing changes.
    if (until && until <= context.now) return { changes: [] };
    await muteChat(tx, context.actor.id, chat.id, until, context.now);
    return ownChatChange(tx, context, chat.id);
  }
};

export const unmute: Handler<'chat.unmute'> = {
  rules: [membersOnly],
  async apply(tx, context, { args }) {
    const { chat } = await memberChat(context, args.chatId);
    await unmuteChat(tx, context.actor.id, chat.id);
    return ownChatChange(tx, context, chat.id);
  }
};
