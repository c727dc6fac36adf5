// PostgreSQL tables (drizzle-kit reads this file to generate drizzle/postgres).
import { columns } from './columns.pg.ts';
import { defineTables } from './schema.ts';

export const {
  organizations,
  organizationDomains,
  users,
  signInCodes,
  sessions,
  rateLimits,
  devOutbox,
  outgoingMessages,
  chats,
  chatMembers,
  chatAliases,
  messages,
  devices,
  pushSubscriptions,
  chatMutes,
  appliedMutations,
  userCursors,
  userChanges,
  messageRequests,
  requestPairs,
  userBlocks,
  invitationRefusals,
  blockedDomains,
  blockedAddresses,
  auditEvents,
  switchEffects
} = defineTables(columns);
