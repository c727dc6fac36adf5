// The admin settings API (docs/administration.md): an organization's external-contact settings,
// members and roles, block lists and audit log, for that organization's admins only.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { adminChange, adminRead, requireAdmin } from '../domain/admin/access.ts';
import {
  AUDIT_CSV_MAX_ROWS,
  AUDIT_DEFAULT_LIMIT,
  AUDIT_MAX_LIMIT,
  auditCsv,
  listAudit,
  type AuditFilter
} from '../domain/admin/audit-log.ts';
import {
  addBlockedAddress,
  addBlockedDomain,
  listBlocked,
  removeBlockedAddress,
  removeBlockedDomain
} from '../domain/admin/blocked.ts';
import {
  MEMBERS_LIMIT,
  removeMember,
  searchMembers,
  updateMember
} from '../domain/admin/members.ts';
import { EffectSpreader } from '../domain/admin/spread.ts';
import {
  previewSettings,
  readSettings,
  updateSettings,
  type ServerLimits
} from '../domain/admin/settings.ts';
import { AUDIT_EVENT_TYPES } from '../../common/audit.ts';
import type { ChangeNotice } from '../domain/sync/changes.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { ApiError, errorResponses, ErrorSchema } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import { announceChanges, announceEndedSessions } from '../realtime/feed.ts';
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
    invitationLimits: z.object({ perSenderHour: z.number(), perOrganizationDay: z.number() })
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
    changes: z
      .object({
        outboundExternal: ByAtSchema.optional(),
        inboundExternal: ByAtSchema.optional(),
        requestCap: ByAtSchema.optional(),
        smsCountries: ByAtSchema.optional(),
        invitationLimits: ByAtSchema.optional()
      })
      .openapi({ description: 'The last change of each setting, from the audit log' })
  })
  .openapi('AdminSettingsView');

const SettingsPatchSchema = z
  .object({
    outboundExternal: z.boolean().optional(),
    inboundExternal: z.boolean().optional(),
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

const getSettings = createRoute({
  method: 'get',
  path: `${BASE}/settings`,
  tags: [TAG],
  summary: "The organization's external-contact settings, with who changed each last",
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams },
  responses: { 200: json(SettingsViewSchema, 'Settings'), ...accessErrors }
});

const patchSettings = createRoute({
  method: 'patch',
  path: `${BASE}/settings`,
  tags: [TAG],
  summary: 'Change some settings; each change is audited',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(SettingsPatchSchema) },
  responses: { 200: json(SettingsViewSchema, 'Settings after the change'), ...accessErrors }
});

const previewSettingsRoute = createRoute({
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

const listMembers = createRoute({
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

const patchMember = createRoute({
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

const deleteMember = createRoute({
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

const getBlocked = createRoute({
  method: 'get',
  path: `${BASE}/blocked`,
  tags: [TAG],
  summary: 'Blocked email domains and people',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams },
  responses: { 200: json(BlockedListsSchema, 'Block lists'), ...accessErrors }
});

const addDomain = createRoute({
  method: 'post',
  path: `${BASE}/blocked/domains`,
  tags: [TAG],
  summary: 'Block an email domain (`invalid_domain`, `own_domain`)',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams, body: body(DomainBody) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

const removeDomain = createRoute({
  method: 'delete',
  path: `${BASE}/blocked/domains/{domain}`,
  tags: [TAG],
  summary: 'Unblock an email domain',
  middleware: [requireSignedIn] as const,
  request: { params: OrganizationParams.extend({ domain: z.string().min(1).max(300) }) },
  responses: { 200: json(BlockedListsSchema, 'Block lists after the change'), ...accessErrors }
});

const addAddress = createRoute({
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

const removeAddress = createRoute({
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

const AuditQuery = z.object({
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

const getAudit = createRoute({
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

const getAuditCsv = createRoute({
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

/** Reads a date filter; a bare date as `to` reaches the end of that day. */
function readDate(value: string | undefined, endOfDay: boolean): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value)
    ? Date.parse(dateOnly || /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`)
    : NaN;
  if (Number.isNaN(time)) {
    throw new ApiError(400, 'invalid_date', `${value} is not a date such as 2026-06-01.`);
  }
  return new Date(dateOnly && endOfDay ? time + 24 * 60 * 60 * 1000 : time);
}

function auditFilter(query: z.infer<typeof AuditQuery>): AuditFilter {
  return {
    type: query.type,
    person: query.person || undefined,
    from: readDate(query.from, false),
    to: readDate(query.to, true),
    before: query.before || undefined
  };
}

export function adminRoutes(services: Services) {
  const { store } = services;
  const limits: ServerLimits = {
    perSenderHour: services.config.invitationLimits.perSenderHour,
    perOrganizationDay: services.config.invitationLimits.perOrganizationDay
  };
  const announce = (notices: ChangeNotice[]) => announceChanges(store, notices, 'admin');
  const spreader =
    services.spreader ?? new EffectSpreader({ store, now: services.now, onChanges: announce });

  return new OpenAPIHono<AppEnv>()
    .openapi(getSettings, async (c) => {
      const { organizationId } = c.req.valid('param');
      const view = await adminRead(store, c.var.signedIn.user.id, organizationId, (db, admin) =>
        readSettings(db, admin.organization, limits)
      );
      return c.json(view, 200);
    })
    .openapi(patchSettings, async (c) => {
      const { organizationId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const { view, spread } = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        async (tx, admin) => {
          const updated = await updateSettings(tx, admin, patch, limits, services.now());
          const view = await readSettings(tx, updated.organization, limits);
          return { view, spread: updated.spread };
        }
      );
      // The rules already follow the new settings; the chats' views catch up in the background.
      if (spread) spreader.kick();
      return c.json(view, 200);
    })
    .openapi(previewSettingsRoute, async (c) => {
      const { organizationId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const effects = await adminRead(store, c.var.signedIn.user.id, organizationId, (db, admin) =>
        previewSettings(db, admin.organization, patch, limits)
      );
      return c.json({ effects }, 200);
    })
    .openapi(listMembers, async (c) => {
      const { organizationId } = c.req.valid('param');
      const { q } = c.req.valid('query');
      const members = await adminRead(store, c.var.signedIn.user.id, organizationId, (db) =>
        searchMembers(db, organizationId, q ?? '')
      );
      return c.json({ members }, 200);
    })
    .openapi(patchMember, async (c) => {
      const { organizationId, userId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const { member, spread } = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        (tx, admin) => updateMember(tx, admin, userId, patch, services.now())
      );
      if (spread) spreader.kick();
      return c.json(member, 200);
    })
    .openapi(deleteMember, async (c) => {
      const { organizationId, userId } = c.req.valid('param');
      const { notices } = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        (tx, admin) => removeMember(tx, admin, userId, services.now())
      );
      // Their sockets close before the answer, on every instance; then the chats' news.
      await announceEndedSessions(store, { userIds: [userId] });
      announce(notices);
      return c.body(null, 204);
    })
    .openapi(getBlocked, async (c) => {
      const { organizationId } = c.req.valid('param');
      const lists = await adminRead(store, c.var.signedIn.user.id, organizationId, (db) =>
        listBlocked(db, organizationId)
      );
      return c.json(lists, 200);
    })
    .openapi(addDomain, async (c) => {
      const { organizationId } = c.req.valid('param');
      const { domain } = c.req.valid('json');
      const { lists, notices } = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        async (tx, admin) => {
          const notices = await addBlockedDomain(tx, admin, domain, services.now());
          return { lists: await listBlocked(tx, organizationId), notices };
        }
      );
      announce(notices);
      return c.json(lists, 200);
    })
    .openapi(removeDomain, async (c) => {
      const { organizationId, domain } = c.req.valid('param');
      const lists = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        async (tx, admin) => {
          await removeBlockedDomain(tx, admin, domain, services.now());
          return listBlocked(tx, organizationId);
        }
      );
      return c.json(lists, 200);
    })
    .openapi(addAddress, async (c) => {
      const { organizationId } = c.req.valid('param');
      const { address } = c.req.valid('json');
      const { lists, notices } = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        async (tx, admin) => {
          const notices = await addBlockedAddress(tx, admin, address, services.now());
          return { lists: await listBlocked(tx, organizationId), notices };
        }
      );
      announce(notices);
      return c.json(lists, 200);
    })
    .openapi(removeAddress, async (c) => {
      const { organizationId } = c.req.valid('param');
      const { address } = c.req.valid('json');
      const lists = await adminChange(
        store,
        c.var.signedIn.user.id,
        organizationId,
        async (tx, admin) => {
          await removeBlockedAddress(tx, admin, address, services.now());
          return listBlocked(tx, organizationId);
        }
      );
      return c.json(lists, 200);
    })
    .openapi(getAudit, async (c) => {
      const { organizationId } = c.req.valid('param');
      const query = c.req.valid('query');
      // Access first: an outsider learns nothing, not even that a date was malformed.
      await store.read((db) => requireAdmin(db, c.var.signedIn.user.id, organizationId));
      const filter = auditFilter(query);
      const page = await store.read((db) =>
        listAudit(db, organizationId, filter, query.limit ?? AUDIT_DEFAULT_LIMIT)
      );
      return c.json(page, 200);
    })
    .openapi(getAuditCsv, async (c) => {
      const { organizationId } = c.req.valid('param');
      const query = c.req.valid('query');
      await store.read((db) => requireAdmin(db, c.var.signedIn.user.id, organizationId));
      const filter = auditFilter(query);
      const { events } = await store.read((db) =>
        listAudit(db, organizationId, filter, query.limit ?? AUDIT_CSV_MAX_ROWS)
      );
      const day = services.now().toISOString().slice(0, 10);
      return c.body(auditCsv(events), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="audit-${day}.csv"`,
        'Cache-Control': 'no-store'
      });
    });
}
