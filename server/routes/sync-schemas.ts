// Zod schemas of the sync protocol (common/protocol.ts) for validation and the OpenAPI
// document. The checks at the bottom fail to compile if the two drift apart.
import { z } from '@hono/zod-openapi';
import {
  MAX_PUSH_BATCH,
  type BootstrapResponse,
  type Change,
  type ChatState,
  type HistoryResponse,
  type MessageState,
  type Mutation,
  type MutationResult,
  type PullResponse,
  type PushRequest
} from '../../common/protocol.ts';

const Id = z.guid().openapi({ example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' });
/** Generous: the 4,000-character rule is a per-mutation rejection, not a broken request. */
const Text = z.string().max(50_000);

const base = {
  id: Id,
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  at: z.iso.datetime({ offset: true })
};

const mutation = <T extends string, A extends z.ZodRawShape>(type: T, args: A) =>
  z.object({ ...base, type: z.literal(type), args: z.object(args) });

export const MutationSchema = z
  .discriminatedUnion('type', [
    mutation('chat.createDirect', { chatId: Id, userId: z.string().min(1).max(100) }),
    mutation('chat.createGroup', {
      chatId: Id,
      name: Text,
      memberIds: z.array(z.string().min(1).max(100)).max(1000)
    }),
    mutation('chat.rename', { chatId: Id, name: Text }),
    mutation('chat.addMembers', {
      chatId: Id,
      userIds: z.array(z.string().min(1).max(100)).min(1).max(1000)
    }),
    mutation('chat.removeMember', { chatId: Id, userId: z.string().min(1).max(100) }),
    mutation('chat.leave', { chatId: Id }),
    mutation('message.send', { chatId: Id, messageId: Id, body: Text }),
    mutation('chat.read', { chatId: Id, seq: z.number().int().min(0) }),
    // Whether the time is in the future is a per-mutation refusal (invalid_mute_until).
    mutation('chat.mute', { chatId: Id, until: z.iso.datetime({ offset: true }).nullable() }),
    mutation('chat.unmute', { chatId: Id }),
    // The address is read by the rules (invalid_address is a per-mutation refusal).
    mutation('chat.startExternal', { chatId: Id, address: z.string().max(400) }),
    mutation('request.accept', { chatId: Id }),
    mutation('request.decline', { chatId: Id }),
    mutation('request.block', { chatId: Id }),
    mutation('invitation.resend', { chatId: Id }),
    mutation('invitation.revoke', { chatId: Id })
  ])
  .openapi('Mutation');

export const PushRequestSchema = z
  .object({ deviceId: Id, mutations: z.array(MutationSchema).max(MAX_PUSH_BATCH) })
  .openapi('PushRequest');

export const MutationResultSchema = z
  .union([
    z.object({
      id: z.string(),
      seq: z.number().int(),
      status: z.literal('applied'),
      chatSeq: z.number().int().optional()
    }),
    z.object({
      id: z.string(),
      seq: z.number().int(),
      status: z.literal('rejected'),
      code: z.string().openapi({ example: 'chat_not_found' }),
      message: z.string(),
      details: z.record(z.string(), z.union([z.string(), z.number()])).optional()
    })
  ])
  .openapi('MutationResult');

export const PushResponseSchema = z
  .object({ results: z.array(MutationResultSchema) })
  .openapi('PushResponse');

const RequestStateSchema = z
  .discriminatedUnion('role', [
    z.object({
      role: z.literal('sender'),
      state: z.enum(['pending', 'accepted']),
      address: z.string(),
      cap: z.number().int(),
      invitation: z.object({
        status: z.enum(['sent', 'revoked']),
        channel: z.enum(['email', 'sms']),
        sentAt: z.string(),
        expiresAt: z.string()
      })
    }),
    z.object({
      role: z.literal('recipient'),
      state: z.enum(['pending', 'accepted', 'declined', 'blocked']),
      address: z.string()
    })
  ])
  .openapi('RequestState');

export const ChatStateSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['direct', 'group']),
    name: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    lastSeq: z.number().int(),
    readSeq: z.number().int(),
    members: z.array(
      z.object({
        userId: z.string(),
        name: z.string(),
        organization: z.string().nullable(),
        external: z.boolean(),
        joinedAt: z.string()
      })
    ),
    active: z.boolean(),
    external: z.boolean(),
    request: RequestStateSchema.nullable(),
    /** The viewer's own mute; `until` null: until they turn it on again. */
    mute: z.object({ until: z.string().nullable() }).nullable().optional()
  })
  .openapi('ChatState');

export const MessageStateSchema = z
  .object({
    id: z.string(),
    chatId: z.string(),
    seq: z.number().int(),
    authorId: z.string(),
    body: z.string(),
    sentAt: z.string(),
    createdAt: z.string()
  })
  .openapi('MessageState');

export const ChangeSchema = z
  .discriminatedUnion('type', [
    z.object({ cursor: z.number().int(), type: z.literal('chat'), chat: ChatStateSchema }),
    z.object({ cursor: z.number().int(), type: z.literal('message'), message: MessageStateSchema }),
    z.object({
      cursor: z.number().int(),
      type: z.literal('read'),
      chatId: z.string(),
      userId: z.string(),
      seq: z.number().int()
    })
  ])
  .openapi('Change');

export const PullResponseSchema = z
  .object({ changes: z.array(ChangeSchema), cursor: z.number().int(), hasMore: z.boolean() })
  .openapi('PullResponse');

export const BootstrapResponseSchema = z
  .object({
    cursor: z.number().int(),
    chats: z.array(ChatStateSchema),
    messages: z.array(MessageStateSchema)
  })
  .openapi('BootstrapResponse');

export const HistoryResponseSchema = z
  .object({ messages: z.array(MessageStateSchema), hasMore: z.boolean() })
  .openapi('HistoryResponse');

/** A whole number from a query string ("12"), refusing "", "1e3", "-1" and "1.5". */
export const QueryInteger = (max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type _SchemasMatchProtocol = [
  Expect<Same<z.infer<typeof MutationSchema>, Mutation>>,
  Expect<Same<z.infer<typeof PushRequestSchema>, PushRequest>>,
  Expect<Same<z.infer<typeof MutationResultSchema>, MutationResult>>,
  Expect<Same<z.infer<typeof ChatStateSchema>, ChatState>>,
  Expect<Same<z.infer<typeof MessageStateSchema>, MessageState>>,
  Expect<Same<z.infer<typeof ChangeSchema>, Change>>,
  Expect<Same<z.infer<typeof PullResponseSchema>, PullResponse>>,
  Expect<Same<z.infer<typeof BootstrapResponseSchema>, BootstrapResponse>>,
  Expect<Same<z.infer<typeof HistoryResponseSchema>, HistoryResponse>>
];
