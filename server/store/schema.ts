// Parley's tables, defined once over the column helpers of either dialect.
import type { Columns } from './columns.pg.ts';

export type Role = 'admin' | 'member';
export type Locale = 'en' | 'fr';
export type Channel = 'email' | 'sms';

export function defineTables(c: Columns) {
  const organizations = c.table('organizations', {
    id: c.text('id').primaryKey(),
    name: c.text('name').notNull(),
    /** ISO region used to read national-format phone numbers typed by members. */
    defaultRegion: c.text('default_region').notNull(),
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

  return {
    organizations,
    organizationDomains,
    users,
    signInCodes,
    sessions,
    rateLimits,
    devOutbox
  };
}

export type Tables = ReturnType<typeof defineTables>;
