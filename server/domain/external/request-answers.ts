// The recipient's answer to a message request (docs/external-contacts.md): `request.accept`
// makes the two contacts; `request.decline` and `request.block` take the recipient out of this
// request and of the sender's other open requests that reached them.
import { and, eq, isNull, ne } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import { chatChanges } from '../sync/changes.ts';
import {
  directKey,
  findDirectChat,
  membersOnly,
  refusals,
  type Applied,
  type Handler,
  type MutationContext,
  type Rule
} from '../sync/context.ts';
import { leaveChat } from '../sync/membership.ts';
import { recordAccepted, recordRefused } from './audit-events.ts';
import { outboundOpen } from './policy.ts';
import { inboundClosedTo, memberRequest, pendingRequestOf } from './request-rules.ts';

const { chats, chatMembers, messageRequests, userBlocks } = tables;

/**
 * Only the recipient of a request still open answers it; to anyone else there is no such
 * request. While the sender may not chat with outsiders the request stands, read-only: it
 * cannot be accepted (decline and block stay open to the recipient).
 */
function recipientOnly(accepting: boolean): Rule<Answer> {
  return async (tx, context, { args }) => {
    const access = await context.chat(args.chatId);
    const request = access && (await pendingRequestOf(tx, access.chat));
    const answerable =
      request?.recipientId === context.actor.id &&
      request.status === 'pending' &&
      request.revokedAt === null &&
      !request.suppressed &&
      !(await inboundClosedTo(tx, context, request.senderId));
    if (!answerable) return refusals.chatNotFound();
    return accepting && !(await outboundOpen(tx, request.senderId)) ? refusals.readOnly() : null;
  };
}

type Answer = 'request.accept' | 'request.decline' | 'request.block';

/** `request.accept`: the two become contacts; the chat becomes their 1:1 unless they had one. */
export const accept: Handler<'request.accept'> = {
  rules: [membersOnly, recipientOnly(true)],
  async apply(tx, context, { args }) {
    const { chat, request } = await memberRequest(context, tx, args.chatId);
    const { now, actor } = context;
    await tx
      .update(messageRequests)
      .set({ status: 'accepted', respondedAt: now, tokenHash: null })
      .where(eq(messageRequests.chatId, chat.id));
    if ((await findDirectChat(tx, request.senderId, actor.id)) === null) {
      await tx
        .update(chats)
        .set({ directKey: directKey(request.senderId, actor.id) })
        .where(eq(chats.id, chat.id));
    }
    await recordAccepted(
      tx,
      { senderId: request.senderId, recipientId: actor.id, address: request.address },
      now
    );
    return { changes: await chatChanges(tx, chat.id) };
  }
};

/** Decline and block: the recipient leaves; only their own devices hear of it. */
async function refuseRequest(
  tx: Db,
  context: MutationContext,
  chatId: string,
  status: 'declined' | 'blocked'
): Promise<Applied> {
  const { now, actor } = context;
  await tx
    .update(messageRequests)
    .set({ status, respondedAt: now, tokenHash: null })
    .where(eq(messageRequests.chatId, chatId));
  await leaveChat(tx, chatId, actor.id, now);
  return { changes: await chatChanges(tx, chatId, [], [actor.id]) };
}

/** `request.decline`: the sender's new requests stop reaching this person until they write. */
export const decline: Handler<'request.decline'> = {
  rules: [membersOnly, recipientOnly(false)],
  async apply(tx, context, { args }) {
    const { chat, request } = await memberRequest(context, tx, args.chatId);
    const { actor, now } = context;
    await recordRefused(
      tx,
      'request.declined',
      { senderId: request.senderId, recipientId: actor.id },
      now
    );
    return refuseAll(tx, context, chat.id, request.senderId, 'declined');
  }
};

/** `request.block`: as decline, and nothing from the sender reaches this person again. */
export const block: Handler<'request.block'> = {
  rules: [membersOnly, recipientOnly(false)],
  async apply(tx, context, { args }) {
    const { chat, request } = await memberRequest(context, tx, args.chatId);
    const { now, actor } = context;
    await tx
      .insert(userBlocks)
      .values({ blockerId: actor.id, blockedId: request.senderId, createdAt: now })
      .onConflictDoNothing();
    // One event for the block, not one per request of the sender's that it closes.
    await recordRefused(
      tx,
      'request.blocked',
      { senderId: request.senderId, recipientId: actor.id },
      now
    );
    return refuseAll(tx, context, chat.id, request.senderId, 'blocked');
  }
};

/**
 * Declines or blocks the answered request and the sender's other open requests that reached
 * this person (at another of their addresses); those that never reached them are suppressed
 * by the decline or block itself.
 */
async function refuseAll(
  tx: Db,
  context: MutationContext,
  chatId: string,
  senderId: string,
  status: 'declined' | 'blocked'
): Promise<Applied> {
  const { actor } = context;
  const changes = (await refuseRequest(tx, context, chatId, status)).changes;
  const others = await tx
    .select({ chatId: messageRequests.chatId })
    .from(messageRequests)
    .innerJoin(
      chatMembers,
      and(
        eq(chatMembers.chatId, messageRequests.chatId),
        eq(chatMembers.userId, actor.id),
        isNull(chatMembers.leftAt)
      )
    )
    .where(
      and(
        eq(messageRequests.senderId, senderId),
        eq(messageRequests.recipientId, actor.id),
        eq(messageRequests.status, 'pending'),
        ne(messageRequests.chatId, chatId)
      )
    );
  for (const other of others) {
    changes.push(...(await refuseRequest(tx, context, other.chatId, status)).changes);
  }
  return { changes };
}
