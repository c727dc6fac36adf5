// `message.send` (docs/sync-protocol.md): its rules, then the message at the chat's next place,
// fanned out to whoever may see it.
import { eq, sql } from 'drizzle-orm';
import { characterCount, MAX_MESSAGE_LENGTH } from '../../../common/limits.ts';
import { prepared, tables } from '../../store/index.ts';
import { recordCapReached } from '../external/audit-events.ts';
import { takeCapPlaces } from '../external/cap.ts';
import { messageAudience, sendRefusal } from '../external/request-rules.ts';
import { memberChat, membersOnly, refusals, refuse, type Handler, type Rule } from './context.ts';

const { chats, messages } = tables;
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

/** Message bodies are trimmed before they are checked and stored. */
const validBody: Rule<'message.send'> = (_tx, _context, { args }) => {
  const body = args.body.trim();
  if (body === '') return Promise.resolve(refuse('message_empty', 'The message is empty.'));
  return Promise.resolve(
    characterCount(body) > MAX_MESSAGE_LENGTH
      ? refuse(
          'message_too_long',
          `Messages are limited to ${MAX_MESSAGE_LENGTH.toLocaleString('en')} characters.`
        )
      : null
  );
};

/** Message requests: what may be sent before acceptance (request-rules.ts). */
const requestAllowsSending: Rule<'message.send'> = (tx, context, { args }) =>
  sendRefusal(tx, context, args.chatId);

export const send: Handler<'message.send'> = {
  rules: [validBody, membersOnly, requestAllowsSending],
  async apply(tx, context, mutation) {
    const { args } = mutation;
    // The chat row was read in this transaction (and is locked on PostgreSQL): its next place
    // is free. The message goes in first, so that a taken id is refused before anything is
    // written.
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
  }
};
