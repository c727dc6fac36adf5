// The rules a mutation must pass before it is applied. Each rule reads (never writes) and either
// lets the mutation through or refuses it with a stable code; the first refusal wins. A new rule
// is one more entry in `BUILT_IN_RULES`.
import { eq } from 'drizzle-orm';
import {
  characterCount,
  MAX_GROUP_NAME_LENGTH,
  MAX_MESSAGE_LENGTH
} from '../../../common/limits.ts';
import { createsChat, type Mutation } from '../../../common/protocol.ts';
import type { Outgoing } from '../../messaging/transports.ts';
import { tables, type Db } from '../../store/index.ts';
import type { InvitationLimits } from '../../config.ts';
import {
  blockedByMembersOrganizations,
  mayReach,
  writeClosedReason,
  type OrganizationRow
} from '../external/policy.ts';
import { checkRequest } from '../external/request-rules.ts';

export type Actor = { id: string; organizationId: string | null };

/** Why a mutation was refused: `code` is stable (docs/sync-protocol.md), `message` is for people. */
export type Refusal = {
  code: string;
  message: string;
  details?: Record<string, string | number>;
};

export type ChatRow = typeof tables.chats.$inferSelect;

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

export type MutationRule = (
  tx: Db,
  context: MutationContext,
  mutation: Mutation
) => Promise<Refusal | null>;

/** Every change is written once per member: the cap bounds the cost of one group message. */
export const MAX_GROUP_MEMBERS = 100;

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

/** The chat a mutation acts on; null for the ones that create a chat. */
export function targetChatId(mutation: Mutation): string | null {
  return createsChat(mutation.type) ? null : mutation.args.chatId;
}

/** Message bodies and group names are trimmed before they are checked and stored. */
export const validContent: MutationRule = (_tx, _context, mutation) =>
  Promise.resolve(contentProblem(mutation));

function contentProblem(mutation: Mutation): Refusal | null {
  if (mutation.type === 'message.send') {
    const body = mutation.args.body.trim();
    if (body === '') return refuse('message_empty', 'The message is empty.');
    if (characterCount(body) > MAX_MESSAGE_LENGTH) {
      return refuse(
        'message_too_long',
        `Messages are limited to ${MAX_MESSAGE_LENGTH.toLocaleString('en')} characters.`
      );
    }
  }
  if (mutation.type === 'chat.createGroup' || mutation.type === 'chat.rename') {
    const name = mutation.args.name.trim();
    if (name === '' || characterCount(name) > MAX_GROUP_NAME_LENGTH) {
      return refuse('invalid_name', `A group name needs 1 to ${MAX_GROUP_NAME_LENGTH} characters.`);
    }
  }
  return null;
}

/** Only members act on a chat; to anyone else it does not exist. */
export const membersOnly: MutationRule = async (_tx, context, mutation) => {
  const chatId = targetChatId(mutation);
  if (chatId === null) return null;
  const access = await context.chat(chatId);
  return access?.memberIds.includes(context.actor.id) ? null : refusals.chatNotFound();
};

/** A 1:1 chat keeps its two members and has no name. */
export const directChatsAreFixed: MutationRule = async (_tx, context, mutation) => {
  if (
    mutation.type !== 'chat.rename' &&
    mutation.type !== 'chat.addMembers' &&
    mutation.type !== 'chat.removeMember' &&
    mutation.type !== 'chat.leave'
  ) {
    return null;
  }
  const access = await context.chat(mutation.args.chatId);
  return access?.chat.kind === 'direct'
    ? refuse('direct_chat_fixed', 'A 1:1 chat cannot be renamed, left or change members.')
    : null;
};

/** The people a mutation brings into a chat, besides the actor. */
function invitedPeople(mutation: Mutation, actorId: string): string[] {
  switch (mutation.type) {
    case 'chat.createDirect':
      return [mutation.args.userId];
    case 'chat.createGroup':
      return [...new Set(mutation.args.memberIds)].filter((id) => id !== actorId);
    case 'chat.addMembers':
      return [...new Set(mutation.args.userIds)];
    default:
      return [];
  }
}

/**
 * People are put in a chat only by a colleague of their organization or by an accepted contact
 * (docs/external-contacts.md); nobody can start a 1:1 with themselves.
 */
export const reachablePeopleOnly: MutationRule = async (tx, context, mutation) => {
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

/** Nobody renames or adds people to a chat that an organization's policy closed. */
export const openChatsOnly: MutationRule = async (_tx, context, mutation) => {
  if (mutation.type !== 'chat.addMembers' && mutation.type !== 'chat.rename') return null;
  const access = await context.chat(mutation.args.chatId);
  return access && closedRefusal(writeClosedReason(access.chat, access.members, context.actor.id));
};

/** The refusal for a chat closed by policy (`writeClosedReason`); null when it is open. */
export function closedRefusal(reason: ReturnType<typeof writeClosedReason>): Refusal | null {
  return reason && policyRefusal(reason);
}

/** The refusal behind each code the policy functions answer with. */
const POLICY_REFUSALS = {
  user_not_found: refusals.userNotFound,
  recipient_unavailable: refusals.recipientUnavailable,
  policy_outbound_disabled: refusals.outboundDisabled,
  policy_blocked_by_organization: refusals.blockedByOrganization,
  chat_read_only: refusals.readOnly
} as const;

function policyRefusal(code: keyof typeof POLICY_REFUSALS): Refusal {
  return POLICY_REFUSALS[code]();
}

/** Message requests: only the recipient answers, the cap, revoked invitations, policy. */
export const requestRules: MutationRule = (tx, context, mutation) =>
  checkRequest(tx, context, mutation);

export const removesAMember: MutationRule = async (_tx, context, mutation) => {
  if (mutation.type !== 'chat.removeMember') return null;
  const access = await context.chat(mutation.args.chatId);
  return access?.memberIds.includes(mutation.args.userId)
    ? null
    : refuse('not_a_member', 'This person is not in the chat.');
};

export const groupSizeLimit: MutationRule = async (_tx, context, mutation) => {
  let size = 0;
  if (mutation.type === 'chat.createGroup') {
    size = 1 + invitedPeople(mutation, context.actor.id).length;
  } else if (mutation.type === 'chat.addMembers') {
    const access = await context.chat(mutation.args.chatId);
    const current = new Set(access?.memberIds);
    size = current.size + invitedPeople(mutation, '').filter((id) => !current.has(id)).length;
  }
  return size > MAX_GROUP_MEMBERS
    ? refuse('group_full', `A group chat has at most ${MAX_GROUP_MEMBERS} members.`)
    : null;
};

/**
 * Ids come from devices: a chat id already taken (by anything, anyone) is refused, never merged.
 * (A taken message id is refused by the insert itself, which costs no extra lookup.)
 * `chat.createDirect` and `chat.startExternal` check theirs in `createDirectChat` and
 * `startExternal`, at its place in their own order of checks.
 */
export const freshIds: MutationRule = async (tx, _context, mutation) =>
  mutation.type === 'chat.createGroup' ? takenChatId(tx, mutation.args.chatId, null) : null;

/**
 * Why `chatId` cannot be used for a new chat: taken (`duplicate_id`), or it is already the 1:1
 * chat with this `pair` key (created again, e.g. from a restored device: point at it).
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

export function refuse(code: string, message: string): Refusal {
  return { code, message };
}

/** In order: the first refusal is the answer. */
export const BUILT_IN_RULES: readonly MutationRule[] = [
  validContent,
  membersOnly,
  directChatsAreFixed,
  openChatsOnly,
  reachablePeopleOnly,
  requestRules,
  removesAMember,
  groupSizeLimit,
  freshIds
];
