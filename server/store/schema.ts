// Parley's tables, defined once over the column helpers of either dialect.
import { sql } from 'drizzle-orm';
// Boolean defaults are SQL literals: drizzle binds a JS `true` default unconverted on SQLite.
import type { Columns } from './columns.pg.ts';

export type Role = 'admin' | 'member';
export type Locale = 'en' | 'fr';
export type Channel = 'email' | 'sms';
/** What the durable outgoing queue carries: email, SMS, and Web Push (server/push/). */
export type OutgoingChannel = Channel | 'push';
export type ChatKind = 'direct' | 'group';
export type ChangeKind = 'chat' | 'message' | 'read';
/** Sender-visible states are pending and accepted; declined and blocked only the recipient sees. */
export type OrganizationInvitationLimits = { perSenderHour?: number; perOrganizationDay?: number };
export type RequestStatus = 'pending' | 'accepted' | 'declined' | 'blocked';

export function defineTables(c: Columns) {
  const organizations = c.table('organizations', {
    id: c.text('id').primaryKey(),
    name: c.text('name').notNull(),
    /** ISO region used to read national-format phone numbers typed by members. */
    defaultRegion: c.text('default_region').notNull(),
    /** Members may start chats with people outside (admin setting). */
    outboundExternal: c
      .boolean('outbound_external')
      .notNull()
      .default(sql`true`),
    /** People outside may send requests to members (admin setting). */
    inboundExternal: c
      .boolean('inbound_external')
      .notNull()
      .default(sql`true`),
    /** Messages a member may send in a request before it is accepted (1–10). */
    requestCap: c.integer('request_cap').notNull().default(10),
    /** ISO regions invitations may be texted to; null means the built-in default list. */
    smsCountries: c.json('sms_countries').$type<string[]>(),
    /** The organization's own invitation limits; a missing field means the server's default. */
    invitationLimits: c.json('invitation_limits').$type<OrganizationInvitationLimits>(),
    /** Push notifications show the message text (admin setting); off: "New message". */
    notificationPreviews: c
      .boolean('notification_previews')
      .notNull()
      .default(sql`true`),
    createdAt: c.timestamp('created_at').notNull()
  });

  /** Verified email domains: an address on one of these belongs to the organization. */
  const organizationDomains = c.table(
    'organization_domains',
    {
      domain: c.text('domain').primaryKey(),
      organizationId: c
        .text('organization_id')
        .notNull()
        .references(() => organizations.id, { onDelete: 'cascade' }),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.index('organization_domains_org_idx').on(t.organizationId)]
  );

  const users = c.table(
    'users',
    {
      id: c.text('id').primaryKey(),
      /** Null for personal users. */
      organizationId: c
        .text('organization_id')
        .references(() => organizations.id, { onDelete: 'cascade' }),
      role: c.text('role').$type<Role>(),
      name: c.text('name').notNull(),
      /** Canonical verified email as the user typed its local part. */
      email: c.text('email'),
      /** Lookup form of `email`: the local part compared case-insensitively. */
      emailKey: c.text('email_key'),
      /** Verified phone number, E.164. */
      phone: c.text('phone'),
      /** Phone region of a personal user; managed users use their organization's. */
      region: c.text('region'),
      locale: c.text('locale').$type<Locale>(),
      /**
       * Accepts message requests from outside (managed users: outside the organization;
       * personal users: from people they have not accepted). Off, requests vanish silently.
       */
      requestsAllowed: c
        .boolean('requests_allowed')
        .notNull()
        .default(sql`true`),
      /** An admin's per-person override of the organization's outbound setting; null: default. */
      outboundOverride: c.boolean('outbound_override'),
      /** Same for inbound. */
      inboundOverride: c.boolean('inbound_override'),
      /**
       * When an admin removed this member: the row stays (their messages and the audit log name
       * them) but the account no longer signs in and nobody reaches it. Null while a member.
       */
      removedAt: c.timestamp('removed_at'),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [
      c.uniqueIndex('users_email_key_idx').on(t.emailKey),
      c.uniqueIndex('users_phone_idx').on(t.phone),
      c.index('users_organization_idx').on(t.organizationId)
    ]
  );

  /** One-time sign-in codes, stored as keyed hashes. */
  const signInCodes = c.table(
    'sign_in_codes',
    {
      id: c.text('id').primaryKey(),
      addressKey: c.text('address_key').notNull(),
      codeHash: c.text('code_hash').notNull(),
      attempts: c.integer('attempts').notNull().default(0),
      expiresAt: c.timestamp('expires_at').notNull(),
      consumedAt: c.timestamp('consumed_at'),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.index('sign_in_codes_address_idx').on(t.addressKey, t.createdAt)]
  );

  const sessions = c.table(
    'sessions',
    {
      /** SHA-256 of the cookie token: a database leak does not hand out sessions. */
      tokenHash: c.text('token_hash').primaryKey(),
      userId: c
        .text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      createdAt: c.timestamp('created_at').notNull(),
      lastSeenAt: c.timestamp('last_seen_at').notNull(),
      expiresAt: c.timestamp('expires_at').notNull()
    },
    (t) => [c.index('sessions_user_idx').on(t.userId)]
  );

  /** Fixed-window counters shared by every server instance. */
  const rateLimits = c.table('rate_limits', {
    key: c.text('key').primaryKey(),
    /** Epoch milliseconds, so that the atomic upsert can compare it in plain SQL. */
    windowStartMs: c.bigint('window_start_ms').notNull(),
    count: c.integer('count').notNull()
  });

  /** Email and SMS kept for developers when no provider is configured (never in production). */
  const devOutbox = c.table(
    'dev_outbox',
    {
      id: c.text('id').primaryKey(),
      channel: c.text('channel').$type<Channel>().notNull(),
      recipient: c.text('recipient').notNull(),
      subject: c.text('subject'),
      body: c.text('body').notNull(),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.index('dev_outbox_created_idx').on(t.createdAt)]
  );

  /**
   * Email and SMS waiting to leave, written in the transaction of the change that causes them
   * and deleted once sent (server/messaging/notifier.ts). A row is due at `due_at_ms`; claiming
   * it moves that to the end of the claimer's lease, so a crashed instance's claims come due again.
   */
  const outgoingMessages = c.table(
    'outgoing_messages',
    {
      id: c.text('id').primaryKey(),
      channel: c.text('channel').$type<OutgoingChannel>().notNull(),
      recipient: c.text('recipient').notNull(),
      subject: c.text('subject'),
      body: c.text('body').notNull(),
      /** Tries so far, counted when claimed. */
      attempts: c.integer('attempts').notNull().default(0),
      /** Epoch milliseconds of the next try (or of the current claim's lease end). */
      dueAtMs: c.bigint('due_at_ms').notNull(),
      /** The current claim's token: only its holder records the outcome. */
      claim: c.text('claim'),
      lastError: c.text('last_error'),
      createdAt: c.timestamp('created_at').notNull(),
      /** Set when the last try failed: the message is no longer tried. */
      failedAt: c.timestamp('failed_at')
    },
    (t) => [c.index('outgoing_messages_due_idx').on(t.dueAtMs)]
  );

  const chats = c.table(
    'chats',
    {
      /** Client-generated UUID (from the chat.create* mutation). */
      id: c.text('id').primaryKey(),
      kind: c.text('kind').$type<ChatKind>().notNull(),
      /** Group name; null for 1:1 chats. */
      name: c.text('name'),
      createdBy: c
        .text('created_by')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      createdAt: c.timestamp('created_at').notNull(),
      /** Highest message sequence; bumped in the transaction that stores the message. */
      lastSeq: c.bigint('last_seq').notNull().default(0),
      /** The two user ids of a 1:1 chat, sorted and joined: at most one 1:1 chat per pair. */
      directKey: c.text('direct_key')
    },
    (t) => [c.uniqueIndex('chats_direct_key_idx').on(t.directKey)]
  );

  /** Membership, kept after leaving (`leftAt`) so that the read marker and history survive. */
  const chatMembers = c.table(
    'chat_members',
    {
      chatId: c
        .text('chat_id')
        .notNull()
        .references(() => chats.id, { onDelete: 'cascade' }),
      userId: c
        .text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      joinedAt: c.timestamp('joined_at').notNull(),
      /** Null while a member. */
      leftAt: c.timestamp('left_at'),
      /** Highest message sequence this member has read. */
      readSeq: c.bigint('read_seq').notNull().default(0)
    },
    (t) => [
      c.primaryKey({ columns: [t.chatId, t.userId] }),
      // "My chats" (bootstrap); the primary key serves "members of a chat".
      c.index('chat_members_user_idx').on(t.userId, t.chatId)
    ]
  );

  /** A chat id a device made up for a 1:1 chat that already existed: its mutations go there. */
  const chatAliases = c.table('chat_aliases', {
    aliasId: c.text('alias_id').primaryKey(),
    userId: c
      .text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    chatId: c
      .text('chat_id')
      .notNull()
      .references(() => chats.id, { onDelete: 'cascade' })
  });

  const messages = c.table(
    'messages',
    {
      /** The client's messageId: a retried send can never store a second copy. */
      id: c.text('id').primaryKey(),
      chatId: c
        .text('chat_id')
        .notNull()
        .references(() => chats.id, { onDelete: 'cascade' }),
      /** Place in the chat, 1, 2, 3… without gaps. */
      seq: c.bigint('seq').notNull(),
      authorId: c
        .text('author_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      body: c.text('body').notNull(),
      /** Device clock at sending: displayed, never used for order. */
      sentAt: c.timestamp('sent_at').notNull(),
      createdAt: c.timestamp('created_at').notNull()
    },
    // History pages and "the last 50 of each chat" are ranges of this index.
    (t) => [c.uniqueIndex('messages_chat_seq_idx').on(t.chatId, t.seq)]
  );

  /** A browser profile; bound for good to the user whose push registered it. */
  const devices = c.table('devices', {
    id: c.text('id').primaryKey(),
    userId: c
      .text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Every mutation up to this sequence has been applied or refused (and recorded). */
    lastAppliedSeq: c.bigint('last_applied_seq').notNull().default(0),
    createdAt: c.timestamp('created_at').notNull()
  });

  /** The answer given to each mutation, returned again verbatim when it is pushed again. */
  const appliedMutations = c.table(
    'applied_mutations',
    {
      deviceId: c
        .text('device_id')
        .notNull()
        .references(() => devices.id, { onDelete: 'cascade' }),
      seq: c.bigint('seq').notNull(),
      mutationId: c.text('mutation_id').notNull(),
      result: c.json('result').notNull(),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.primaryKey({ columns: [t.deviceId, t.seq] })]
  );

  /**
   * A browser's Web Push subscription (server/push/), bound to the session that registered it:
   * signing out (or any end of the session) deletes it with the session.
   */
  const pushSubscriptions = c.table(
    'push_subscriptions',
    {
      id: c.text('id').primaryKey(),
      /** The push service URL the browser chose; checked by the egress guard before each call. */
      endpoint: c.text('endpoint').notNull(),
      /** The browser's P-256 public key and auth secret (base64url), for RFC 8291 encryption. */
      p256dh: c.text('p256dh').notNull(),
      auth: c.text('auth').notNull(),
      userId: c
        .text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      sessionHash: c
        .text('session_hash')
        .notNull()
        .references(() => sessions.tokenHash, { onDelete: 'cascade' }),
      /** Epoch milliseconds the browser said the subscription ends at, if it said. */
      expiresAtMs: c.bigint('expires_at_ms'),
      /** Sends that failed in a row; reset by a success. */
      failures: c.integer('failures').notNull().default(0),
      createdAt: c.timestamp('created_at').notNull(),
      updatedAt: c.timestamp('updated_at').notNull()
    },
    (t) => [
      c.uniqueIndex('push_subscriptions_endpoint_idx').on(t.endpoint),
      c.index('push_subscriptions_user_idx').on(t.userId),
      c.index('push_subscriptions_session_idx').on(t.sessionHash)
    ]
  );

  /** A person muted a chat on every device: no push until `until` (null: until turned on). */
  const chatMutes = c.table(
    'chat_mutes',
    {
      userId: c
        .text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      chatId: c
        .text('chat_id')
        .notNull()
        .references(() => chats.id, { onDelete: 'cascade' }),
      until: c.timestamp('until'),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.primaryKey({ columns: [t.userId, t.chatId] })]
  );

  /** Each user's change counter, bumped in the same transaction as the change it numbers. */
  const userCursors = c.table('user_cursors', {
    userId: c
      .text('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    cursor: c.bigint('cursor').notNull()
  });

  /**
   * The per-user change log (fan-out on write): one row per user who may see the change. A
   * message is referenced, not copied; chat snapshots and read markers are in `payload`.
   */
  const userChanges = c.table(
    'user_changes',
    {
      userId: c
        .text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      cursor: c.bigint('cursor').notNull(),
      kind: c.text('kind').$type<ChangeKind>().notNull(),
      chatId: c.text('chat_id').notNull(),
      messageId: c.text('message_id'),
      payload: c.json('payload'),
      createdAt: c.timestamp('created_at').notNull()
    },
    // Pull reads a range of this key; nothing else reads the log.
    (t) => [c.primaryKey({ columns: [t.userId, t.cursor] })]
  );

  /**
   * A chat started with `chat.startExternal`: the request, and the invitation that carries it
   * to an address. One per such chat. `recipientId` is the account behind the address once
   * known; the recipient is a chat member only while the request may reach them (`suppressed`
   * false): blocked senders, people refusing requests and closed organizations are never told.
   */
  const messageRequests = c.table(
    'message_requests',
    {
      chatId: c
        .text('chat_id')
        .primaryKey()
        .references(() => chats.id, { onDelete: 'cascade' }),
      senderId: c
        .text('sender_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      recipientId: c.text('recipient_id').references(() => users.id, { onDelete: 'set null' }),
      /** Canonical address as typed by the sender, used for delivery and display. */
      address: c.text('address').notNull(),
      /** Lookup form (`Address.key`). */
      addressKey: c.text('address_key').notNull(),
      channel: c.text('channel').$type<Channel>().notNull(),
      status: c.text('status').$type<RequestStatus>().notNull(),
      /** Nothing reaches the recipient (blocked, refusing, inbound closed, personal sender). */
      suppressed: c
        .boolean('suppressed')
        .notNull()
        .default(sql`false`),
      /** SHA-256 of the invitation link's token; null once used, revoked or superseded. */
      tokenHash: c.text('token_hash'),
      sentAt: c.timestamp('sent_at').notNull(),
      expiresAt: c.timestamp('expires_at').notNull(),
      revokedAt: c.timestamp('revoked_at'),
      respondedAt: c.timestamp('responded_at'),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [
      c.uniqueIndex('message_requests_token_idx').on(t.tokenHash),
      c.index('message_requests_sender_idx').on(t.senderId, t.recipientId),
      c.index('message_requests_recipient_idx').on(t.recipientId, t.senderId),
      c.index('message_requests_address_idx').on(t.addressKey)
    ]
  );

  /**
   * The pre-acceptance cap, counted per pair of people (docs/external-contacts.md): messages
   * `senderId` stored toward one person before that person accepted them, across every
   * request (by email, by phone) and every group the sender made. `person` is the recipient's
   * user id, or `address:` + the address key while nobody holds the address. Never decremented:
   * deleting a message gives no place back. Updated atomically in the send's transaction.
   */
  const requestPairs = c.table(
    'request_pairs',
    {
      senderId: c
        .text('sender_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      person: c.text('person').notNull(),
      sent: c.integer('sent').notNull().default(0)
    },
    (t) => [c.primaryKey({ columns: [t.senderId, t.person] })]
  );

  /** `blockerId` blocked `blockedId`: no request, invitation or message from them reaches her. */
  const userBlocks = c.table(
    'user_blocks',
    {
      blockerId: c
        .text('blocker_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      blockedId: c
        .text('blocked_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.primaryKey({ columns: [t.blockerId, t.blockedId] })]
  );

  /** "Refuse invitations from this sender", clicked by someone who has no account. */
  const invitationRefusals = c.table(
    'invitation_refusals',
    {
      addressKey: c.text('address_key').notNull(),
      senderId: c
        .text('sender_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.primaryKey({ columns: [t.addressKey, t.senderId] })]
  );

  /** Email domains an organization's admins closed: no chat with addresses there, either way. */
  const blockedDomains = c.table(
    'blocked_domains',
    {
      organizationId: c
        .text('organization_id')
        .notNull()
        .references(() => organizations.id, { onDelete: 'cascade' }),
      domain: c.text('domain').notNull(),
      createdBy: c.text('created_by').references(() => users.id, { onDelete: 'set null' }),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [c.primaryKey({ columns: [t.organizationId, t.domain] })]
  );

  /**
   * External people an organization's admins blocked, by address (they may have no account
   * yet); `userId` is the account behind it when there is one.
   */
  const blockedAddresses = c.table(
    'blocked_addresses',
    {
      organizationId: c
        .text('organization_id')
        .notNull()
        .references(() => organizations.id, { onDelete: 'cascade' }),
      addressKey: c.text('address_key').notNull(),
      address: c.text('address').notNull(),
      userId: c.text('user_id').references(() => users.id, { onDelete: 'set null' }),
      createdBy: c.text('created_by').references(() => users.id, { onDelete: 'set null' }),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [
      c.primaryKey({ columns: [t.organizationId, t.addressKey] }),
      c.index('blocked_addresses_user_idx').on(t.userId)
    ]
  );

  /**
   * What an organization's admins can read: policy changes and external-contact events, with
   * actor, time and target. Never message contents.
   */
  const auditEvents = c.table(
    'audit_events',
    {
      id: c.text('id').primaryKey(),
      organizationId: c
        .text('organization_id')
        .notNull()
        .references(() => organizations.id, { onDelete: 'cascade' }),
      type: c.text('type').notNull(),
      /** Null for what the system did on its own. */
      actorId: c.text('actor_id').references(() => users.id, { onDelete: 'set null' }),
      /** Names as they were at the time, so the log reads the same after a rename. */
      actorName: c.text('actor_name'),
      targetUserId: c.text('target_user_id').references(() => users.id, { onDelete: 'set null' }),
      /** A person's name or address, a domain, a setting's name. */
      target: c.text('target'),
      details: c.json('details').$type<Record<string, string | number | boolean | null>>(),
      createdAt: c.timestamp('created_at').notNull()
    },
    (t) => [
      c.index('audit_events_org_time_idx').on(t.organizationId, t.createdAt),
      c.index('audit_events_org_type_idx').on(t.organizationId, t.type, t.createdAt)
    ]
  );

  /**
   * A switch's effect on existing chats still to be spread (`admin/spread.ts`): the settings
   * transaction writes this row instead of touching every chat; small transactions after commit
   * walk the chats in id order, recording how far they got, and delete it at the end.
   */
  const switchEffects = c.table('switch_effects', {
    id: c.text('id').primaryKey(),
    organizationId: c
      .text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The member whose override changed; null: every member of the organization. */
    memberId: c.text('member_id').references(() => users.id, { onDelete: 'cascade' }),
    /** The last chat id done; null: none yet. */
    afterChatId: c.text('after_chat_id'),
    createdAt: c.timestamp('created_at').notNull()
  });

  return {
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
  };
}

export type Tables = ReturnType<typeof defineTables>;

// Row types, named once: what a select of the whole row returns (the same on both dialects).
export type UserRow = Tables['users']['$inferSelect'];
export type OrganizationRow = Tables['organizations']['$inferSelect'];
export type ChatRow = Tables['chats']['$inferSelect'];
export type MessageRow = Tables['messages']['$inferSelect'];
export type MessageRequestRow = Tables['messageRequests']['$inferSelect'];
export type OutgoingMessageRow = Tables['outgoingMessages']['$inferSelect'];
