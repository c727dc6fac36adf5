// The admin API's OpenAPI route schemas (docs/administration.md): paths, parameters, bodies and
// answers of the settings, members, block-list and audit-log routes. The handlers are in admin.ts.
import { createRoute, z } from '@hono/zod-openapi';
import {
  AUDIT_CSV_MAX_ROWS,
  AUDIT_DEFAULT_LIMIT,
  AUDIT_MAX_LIMIT
} from '../domain/admin/audit-log.ts';
import { MEMBERS_LIMIT } from '../domain/admin/members.ts';
import { AUDIT_EVENT_TYPES } from '../../common/audit.ts';
import { errorResponses, ErrorSchema } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import { QueryInteger } from './sync-schemas.ts';

const TAG = 'Administration';
const BASE = '/organizations/{organizationId}';

const OrganizationParams = z.object({
  organizationId: z.string().min(1).max(100).openapi({ description: 'The organization' })
});

const accessErrors = {
  ...errorResponses(400, 401, 403, 404),
  403: {
    description: 'A member who is not an admin (`admin_only`)',
    content: { 'application/json': { schema: ErrorSchema } }
  },
  404: {
    description: 'Not an organization you are a member of (`organization_not_found`)',
    content: { 'application/json': { schema: ErrorSchema } }
  }
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } }
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } }
});

// --- Settings ---

const Override = z.enum(['default', 'on', 'off']);

const SettingsSchema = z
  .object({
    outboundExternal: z.boolean(),
    inboundExternal: z.boolean(),
    requestCap: z.number().int(),
    smsCountries: z.array(z.string()),
    invitationLimits: z.object({ perSenderHour: z.number(), perOrganizationDay: z.number() }),
    notificationPreviews: z.boolean().openapi({
      description: 'Push notifications show the message text; off: "New message"'
    })
  })
  .openapi('AdminSettings');

const ByAtSchema = z.object({
  by: z.object({ id: z.string().nullable(), name: z.string().nullable() }),
  at: z.string()
});

const SettingsViewSchema = z
  .object({
    organization: z.object({ id: z.string(), name: z.string(), domains: z.array(z.string()) }),
    settings: SettingsSchema,
    smsCountriesAllowed: z.array(z.string()).openapi({
      description: 'The countries this server texts (SMS_COUNTRIES); a list may only narrow it.'
    }),
    changes: z
      .object({
        outboundExternal: ByAtSchema.optional(),
        inboundExternal: ByAtSchema.optional(),
        requestCap: ByAtSchema.optional(),
        smsCountries: ByAtSchema.optional(),
        invitationLimits: ByAtSchema.optional(),
        notificationPreviews: ByAtSchema.optional()
      })
      .openapi({ description: 'The last change of each setting, from the audit log' })
  })
  .openapi('AdminSettingsView');

const SettingsPatchSchema = z
  .object({
    outboundExternal: z.boolean().optional(),
    inboundExternal: z.boolean().optional(),
    notificationPreviews: z.boolean().optional(),
    requestCap: z
      .number()
      .optional()
      .openapi({ description: 'Messages before acceptance, 1–10 (`invalid_request_cap`)' }),
    smsCountries: z
      .array(z.string().max(10))
      .max(300)
      .nullable()
      .optional()
      .openapi({ description: 'ISO regions (`invalid_country`); null: the built-in list' }),
    invitationLimits: z
      .object({
        perSenderHour: z.number().nullable().optional(),
        perOrganizationDay: z.number().nullable().optional()
      })
      .strict()
      .optional()
      .openapi({ description: "1 to the server's own limit (`invalid_limit`); null: the server's" })
  })
  .strict()
  .openapi('AdminSettingsPatch');

export const getSettings = createRoute({
  method: 'get',
  path: `${BASE}/settings`,
  tags: [TAG],
  summary: "The organization's external-contact settings, with who changed each last",
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams },
  responses: { 200: json(SettingsViewSchema, 'Settings'), ...accessErrors }
});

export const patchSettings = createRoute({
  method: 'patch',
  path: `${BASE}/settings`,
  tags: [TAG],
  summary: 'Change some settings; each change is audited',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(SettingsPatchSchema) },
  responses: { 200: json(SettingsViewSchema, 'Settings after the change'), ...accessErrors }
});

export const previewSettingsRoute = createRoute({
  method: 'post',
  path: `${BASE}/settings/preview`,
  tags: [TAG],
  summary: 'What saving these settings would do to existing conversations',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(SettingsPatchSchema) },
  responses: {
    200: json(
      z
        .object({
          effects: z.object({ readOnlyChats: z.number(), hiddenRequests: z.number() })
        })
        .openapi('AdminSettingsEffects'),
      'Effects; nothing is saved'
    ),
    ...accessErrors
  }
});

// --- Members ---

const MemberSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    role: z.enum(['admin', 'member']),
    outbound: Override,
    inbound: Override
  })
  .openapi('AdminMember');

export const listMembers = createRoute({
  method: 'get',
  path: `${BASE}/members`,
  tags: [TAG],
  summary: `Members by name, email or phone (at most ${MEMBERS_LIMIT}, admins first)`,
  middleware: [requireSignedIn] as const,
  request: {
    params: OrganizationParams,
    query: z.object({ q: z.string().max(100).optional() })
  },
  responses: {
    200: json(z.object({ members: z.array(MemberSchema) }), 'Members'),
    ...accessErrors
  }
});

export const patchMember = createRoute({
  method: 'patch',
  path: `${BASE}/members/{userId}`,
  tags: [TAG],
  summary: "Change a member's role or outbound/inbound override",
  middleware: [requireSignedIn] as const,
  request: {
    params: OrganizationParams.extend({ userId: z.string().min(1).max(100) }),
    body: body(
      z
        .object({
          role: z.enum(['admin', 'member']).optional(),
          outbound: Override.optional(),
          inbound: Override.optional()
        })
        .strict()
        .openapi('AdminMemberPatch')
    )
  },
  responses: {
    200: json(MemberSchema, 'The member after the change'),
    ...accessErrors,
    409: {
      description: 'The organization would have no admin left (`last_admin`)',
      content: { 'application/json': { schema: ErrorSchema } }
    }
  }
});

export const deleteMember = createRoute({
  method: 'delete',
  path: `${BASE}/members/{userId}`,
  tags: [TAG],
  summary: 'Remove a member from the organization',
  description:
    'At once: every session of theirs ends and their open connections close, the requests and ' +
    'invitations they sent that nobody accepted are revoked, they leave every chat, and their ' +
    'address no longer signs in. Audited as `member.removed`.',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams.extend({ userId: z.string().min(1).max(100) }) },
  responses: {
    204: { description: 'Removed' },
    ...accessErrors,
    404: {
      description:
        'Not an organization you are a member of (`organization_not_found`), or not a member of it (`member_not_found`)',
      content: { 'application/json': { schema: ErrorSchema } }
    },
    409: {
      description: 'An admin cannot remove themselves (`cannot_remove_self`)',
      content: { 'application/json': { schema: ErrorSchema } }
    }
  }
});

// --- Blocked ---

const ByOrNull = z.object({ id: z.string(), name: z.string() }).nullable();
const BlockedListsSchema = z
  .object({
    domains: z.array(z.object({ domain: z.string(), by: ByOrNull, at: z.string() })),
    addresses: z.array(
      z.object({ address: z.string(), name: z.string().nullable(), by: ByOrNull, at: z.string() })
    )
  })
  .openapi('AdminBlocked');

const DomainBody = z.object({ domain: z.string().max(300) }).strict();
const AddressBody = z.object({ address: z.string().max(320) }).strict();

export const getBlocked = createRoute({
  method: 'get',
  path: `${BASE}/blocked`,
  tags: [TAG],
  summary: 'Blocked email domains and people',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams },
  responses: { 200: json(BlockedListsSchema, 'Block lists'), ...accessErrors }
});

export const addDomain = createRoute({
  method: 'post',
  path: `${BASE}/blocked/domains`,
  tags: [TAG],
  summary: 'Block an email domain (`invalid_domain`, `own_domain`)',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(DomainBody) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

export const removeDomain = createRoute({
  method: 'delete',
  path: `${BASE}/blocked/domains/{domain}`,
  tags: [TAG],
  summary: 'Unblock an email domain',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams.extend({ domain: z.string().min(1).max(300) }) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

export const addAddress = createRoute({
  method: 'post',
  path: `${BASE}/blocked/addresses`,
  tags: [TAG],
  summary: "Block a person by email or phone; they leave the organization's chats",
  description:
    "Phone numbers are read with the organization's region. `invalid_address`, `own_domain`, `own_member`.",
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(AddressBody) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

export const removeAddress = createRoute({
  method: 'post',
  path: `${BASE}/blocked/addresses/remove`,
  tags: [TAG],
  summary: 'Unblock a person',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(AddressBody) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

// --- Audit log ---

const DateQuery = z
  .string()
  .max(40)
  .optional()
  .openapi({ description: 'ISO 8601 date or date-time (UTC when no offset)' });

export const AuditQuery = z.object({
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
  person: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'A user id: events they did or that are about them' }),
  from: DateQuery,
  to: DateQuery.openapi({ description: 'A date includes that whole day (UTC)' }),
  before: z.string().max(100).optional().openapi({ description: 'An event id: older events' }),
  limit: QueryInteger(AUDIT_MAX_LIMIT)
    .pipe(z.number().min(1))
    .optional()
    .openapi({ description: `At most this many (default ${AUDIT_DEFAULT_LIMIT})` })
});

const AuditEventSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    at: z.string(),
    actor: z.object({ id: z.string().nullable(), name: z.string() }).nullable(),
    target: z.string().nullable(),
    targetUserId: z.string().nullable(),
    details: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullable()
  })
  .openapi('AuditEvent');

export const getAudit = createRoute({
  method: 'get',
  path: `${BASE}/audit`,
  tags: [TAG],
  summary: 'The audit log, newest first',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, query: AuditQuery },
  responses: {
    200: json(
      z.object({ events: z.array(AuditEventSchema), hasMore: z.boolean() }).openapi('AuditPage'),
      'A page of events'
    ),
    ...accessErrors
  }
});

export const getAuditCsv = createRoute({
  method: 'get',
  path: `${BASE}/audit.csv`,
  tags: [TAG],
  summary: `The audit log as CSV (same filters, at most ${AUDIT_CSV_MAX_ROWS} rows)`,
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, query: AuditQuery },
  responses: {
    200: {
      description: 'Columns time,type,actor,target,details',
      content: { 'text/csv': { schema: z.string() } }
    },
    ...accessErrors
  }
});
