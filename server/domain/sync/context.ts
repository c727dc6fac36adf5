// What every mutation family shares: the context a mutation runs in, its refusals, the handler
// shape the registry checks (registry.ts), and the reads several families make. It imports no
// family module, so that every family may import it without a cycle.
import { eq } from 'drizzle-orm';
import { createsChat, type Mutation, type MutationType } from '../../../common/protocol.ts';
import type { InvitationLimits } from '../../config.ts';
import type { Outgoing } from '../../messaging/transports.ts';
import { tables, type Db } from '../../store/index.ts';
import type { ChatRow, OrganizationRow } from '../../store/schema.ts';
import type { writeClosedReason } from '../external/policy.ts';
import type { NewChange } from './changes.ts';

export type Actor = { id: string; organizationId: string | null };

/** Why a mutation was refused: `code` is stable (docs/sync-protocol.md), `message` is for people. */
export type Refusal = {
  code: string;
  message: string;
  details?: Record<string, string | number>;
};

export type ChatAccess = {
  chat: ChatRow;
  /** The current members, sorted (the order every fan-out writes in). */
  memberIds: string[];
  /** The same members with what the read-only rule needs (`writeClosedReason`). */
  members: { userId: string; organizationId: string | null; outboundOpen: boolean }[];
};

export type MutationContext = {
  actor: Actor;
  deviceId: string;
  now: Date;
  /**
   * The chat a mutation names (following the actor's aliases) with its current members, or
   * null when it does not exist. Loaded once per mutation; on PostgreSQL the chat row stays
   * locked until commit, so that membership cannot change between a rule and the write.
   */
  chat(chatId: string): Promise<ChatAccess | null>;
  /**
   * The actor's organization as it stands in this transaction, with the actor's own overrides
   * applied (`organizationFor`; null for personal users).
   */
  organization(): Promise<OrganizationRow | null>;
  /** Queues an email or SMS, sent only once (and if) this transaction commits. */
  deliver(message: Outgoing): void;
  /** Where invitation links point, how many may be sent, where SMS may go. */
  external: ExternalOptions;
};

export type ExternalOptions = {
  publicUrl: string;
  limits: InvitationLimits;
  /** The server-wide SMS countries (`SMS_COUNTRIES`); an organization's list only narrows it. */
  smsCountries: readonly string[];
};

/** What an applied mutation changed: the chat's new last sequence, the change-log entries. */
export type Applied = { chatSeq?: number; changes: NewChange[] };

/** The mutations of type `T` (written as an intersection so that `Rule` is contravariant in `T`). */
export type MutationOf<T extends MutationType> = Mutation & { type: T };

/** A check before the write: reads only, and either lets the mutation through or refuses it. */
export type Rule<T extends MutationType> = (
  tx: Db,
  context: MutationContext,
  mutation: MutationOf<T>
) => Promise<Refusal | null>;

/**
 * One mutation's definition on the server: its rules, in order (the first refusal is the
 * answer), then its write. The write may still refuse (a 1:1 chat that exists, a taken message
 * id, the cap), but only before writing anything it would not keep.
 */
export type Handler<T extends MutationType> = {
  rules: readonly Rule<T>[];
  apply: (tx: Db, context: MutationContext, mutation: MutationOf<T>) => Promise<Applied | Refusal>;
};

/** Every change is written once per member: the cap bounds the cost of one group message. */
export const MAX_GROUP_MEMBERS = 100;

export function refuse(code: string, message: string): Refusal {
  return { code, message };
}

export const refusals = {
  chatNotFound: (): Refusal => ({
    code: 'chat_not_found',
    message: 'This chat does not exist or you are not in it.'
  }),
  userNotFound: (): Refusal => ({
    code: 'user_not_found',
    message: 'This person is not in your directory.'
  }),
  duplicateId: (): Refusal => ({
    code: 'duplicate_id',
    message: 'This id is already used by something else.'
  }),
  directChatExists: (chatId: string): Refusal => ({
    code: 'direct_chat_exists',
    message: 'You already have a chat with this person.',
    details: { chatId }
  }),
  recipientUnavailable: (): Refusal => ({
    code: 'recipient_unavailable',
    message: 'You can add people from outside only once they have accepted a chat with you.'
  }),
  outboundDisabled: (): Refusal => ({
    code: 'policy_outbound_disabled',
    message: 'Your organization does not allow chats with people outside it.'
  }),
  blockedByOrganization: (): Refusal => ({
    code: 'policy_blocked_by_organization',
    message: 'Your organization has blocked this person or address.'
  }),
  readOnly: (): Refusal => ({
    code: 'chat_read_only',
    message:
      'This chat is read-only: an organization in it has turned off chats with people outside it.'
  })
};

/** The refusal behind each code the policy functions answer with. */
const POLICY_REFUSALS = {
  user_not_found: refusals.userNotFound,
  recipient_unavailable: refusals.recipientUnavailable,
  policy_outbound_disabled: refusals.outboundDisabled,
  policy_blocked_by_organization: refusals.blockedByOrganization,
  chat_read_only: refusals.readOnly
} as const;

export function policyRefusal(code: keyof typeof POLICY_REFUSALS): Refusal {
  return POLICY_REFUSALS[code]();
}

/** The refusal for a chat closed by policy (`writeClosedReason`); null when it is open. */
export function closedRefusal(reason: ReturnType<typeof writeClosedReason>): Refusal | null {
  return reason && policyRefusal(reason);
}

/** Only members act on a chat; to anyone else it does not exist. The first rule of most. */
export const membersOnly: Rule<MutationType> = async (_tx, context, mutation) => {
  if (createsChat(mutation.type)) return null;
  const access = await context.chat(mutation.args.chatId);
  return access?.memberIds.includes(context.actor.id) ? null : refusals.chatNotFound();
};

/** The chat a rule has already found the actor to be a member of. */
export async function memberChat(context: MutationContext, chatId: string): Promise<ChatAccess> {
  const access = await context.chat(chatId);
  if (!access) throw new Error(`chat ${chatId} passed the membership rule but is missing`);
  return access;
}

/**
 * Why `chatId` cannot be used for a new chat: taken (`duplicate_id`), or it is already the 1:1
 * chat with this `pair` key (created again, e.g. from a restored device: point at it). Ids come
 * from devices: a chat id already taken (by anything, anyone) is refused, never merged.
 */
export async function takenChatId(
  tx: Db,
  chatId: string,
  pair: string | null
): Promise<Refusal | null> {
  const { chats, chatAliases } = tables;
  const [chat] = await tx
    .select({ directKey: chats.directKey })
    .from(chats)
    .where(eq(chats.id, chatId))
    .limit(1);
  if (chat && pair !== null && chat.directKey === pair) return refusals.directChatExists(chatId);
  if (chat) return refusals.duplicateId();
  const [alias] = await tx
    .select({ id: chatAliases.aliasId })
    .from(chatAliases)
    .where(eq(chatAliases.aliasId, chatId))
    .limit(1);
  return alias ? refusals.duplicateId() : null;
}

/** What makes a 1:1 chat unique: its two members, in a fixed order. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}

/** The existing 1:1 chat between two people, if any. */
export async function findDirectChat(tx: Db, a: string, b: string): Promise<string | null> {
  const { chats } = tables;
  const [row] = await tx
    .select({ id: chats.id })
    .from(chats)
    .where(eq(chats.directKey, directKey(a, b)))
    .limit(1);
  return row?.id ?? null;
}

/**
 * The device made up its own id for a 1:1 chat that exists: what it queued for that id (sent
 * while offline) goes to the real chat instead of being refused.
 */
export async function pointAtExistingChat(
  tx: Db,
  actorId: string,
  aliasId: string,
  existing: string
): Promise<Refusal> {
  await tx
    .insert(tables.chatAliases)
    .values({ aliasId, userId: actorId, chatId: existing })
    .onConflictDoNothing();
  return refusals.directChatExists(existing);
}
