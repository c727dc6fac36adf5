// The admin settings API (docs/administration.md): an organization's external-contact settings,
// members and roles, block lists and audit log, for that organization's admins only. The route
// schemas are in admin-schemas.ts; `adminAccess` binds the access check once for every route.
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { adminChange, adminRead, type Admin } from '../domain/admin/access.ts';
import {
  AUDIT_CSV_MAX_ROWS,
  AUDIT_DEFAULT_LIMIT,
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
import { removeMember, searchMembers, updateMember } from '../domain/admin/members.ts';
import {
  previewSettings,
  readSettings,
  updateSettings,
  type ServerLimits
} from '../domain/admin/settings.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import type { Db, Store } from '../store/index.ts';
import {
  addAddress,
  addDomain,
  deleteMember,
  getAudit,
  getAuditCsv,
  getBlocked,
  getSettings,
  listMembers,
  patchMember,
  patchSettings,
  previewSettingsRoute,
  removeAddress,
  removeDomain,
  type AuditQuery
} from './admin-schemas.ts';

/** The signed-in person acting as an admin of the organization in the path. */
type AdminScope = {
  /** Reads on committed data, access checked first (`adminRead`). */
  read<T>(work: (db: Db, admin: Admin) => Promise<T>): Promise<T>;
  /** One transaction: the organization locked, access checked, then `work` (`adminChange`). */
  change<T>(work: (tx: Db, admin: Admin) => Promise<T>): Promise<T>;
};

type AdminEnv = { Variables: AppEnv['Variables'] & { admin: AdminScope } };

/**
 * Wired once for every `/organizations/{organizationId}/…` route: gives the handlers `c.var.admin`
 * for the organization in the path. It reads nothing itself: each `read` or `change` checks
 * access in its own transaction (a change after locking the organization, so that a demoted
 * admin loses access at once), and only once the route's guard and validation have passed, so
 * every route answers as it always did (401, then 400, then `organization_not_found` or
 * `admin_only`).
 */
function adminAccess(store: Store) {
  return createMiddleware<AdminEnv>(async (c, next) => {
    const organizationId = c.req.param('organizationId') ?? '';
    const userId = () => {
      const signedIn = c.get('signedIn');
      // Behind `requireSignedIn` on every route: never answered here in practice.
      if (!signedIn) throw new ApiError(401, 'unauthenticated', 'Sign in to continue.');
      return signedIn.user.id;
    };
    c.set('admin', {
      read: (work) => adminRead(store, userId(), organizationId, work),
      change: (work) => adminChange(store, userId(), organizationId, work)
    });
    return next();
  });
}

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
    perOrganizationDay: services.config.invitationLimits.perOrganizationDay,
    smsCountries: services.config.smsCountries
  };
  // Effects leave through the ports services.ts wired: the change feed, the spreader, sessions.
  const { feed: announce, spreader } = services;

  const app = new OpenAPIHono<AdminEnv>();
  app.use('/organizations/:organizationId/*', adminAccess(store));
  return app
    .openapi(getSettings, async (c) => {
      const view = await c.var.admin.read((db, admin) =>
        readSettings(db, admin.organization, limits)
      );
      return c.json(view, 200);
    })
    .openapi(patchSettings, async (c) => {
      const patch = c.req.valid('json');
      const { view, spread } = await c.var.admin.change(async (tx, admin) => {
        const updated = await updateSettings(tx, admin, patch, limits, services.now());
        const view = await readSettings(tx, updated.organization, limits);
        return { view, spread: updated.spread };
      });
      // The rules already follow the new settings; the chats' views catch up in the background.
      if (spread) spreader.kick();
      return c.json(view, 200);
    })
    .openapi(previewSettingsRoute, async (c) => {
      const patch = c.req.valid('json');
      const effects = await c.var.admin.read((db, admin) =>
        previewSettings(db, admin.organization, patch, limits)
      );
      return c.json({ effects }, 200);
    })
    .openapi(listMembers, async (c) => {
      const { q } = c.req.valid('query');
      const members = await c.var.admin.read((db, admin) =>
        searchMembers(db, admin.organization.id, q ?? '')
      );
      return c.json({ members }, 200);
    })
    .openapi(patchMember, async (c) => {
      const { userId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const { member, spread } = await c.var.admin.change((tx, admin) =>
        updateMember(tx, admin, userId, patch, services.now())
      );
      if (spread) spreader.kick();
      return c.json(member, 200);
    })
    .openapi(deleteMember, async (c) => {
      const { userId } = c.req.valid('param');
      const { notices } = await c.var.admin.change((tx, admin) =>
        removeMember(tx, admin, userId, services.now())
      );
      // Their sockets close before the answer, on every instance; then the chats' news.
      await services.endSessions({ userIds: [userId] });
      announce(notices);
      return c.body(null, 204);
    })
    .openapi(getBlocked, async (c) => {
      const lists = await c.var.admin.read((db, admin) => listBlocked(db, admin.organization.id));
      return c.json(lists, 200);
    })
    .openapi(addDomain, async (c) => {
      const { domain } = c.req.valid('json');
      const { lists, notices } = await c.var.admin.change(async (tx, admin) => {
        const notices = await addBlockedDomain(tx, admin, domain, services.now());
        return { lists: await listBlocked(tx, admin.organization.id), notices };
      });
      announce(notices);
      return c.json(lists, 200);
    })
    .openapi(removeDomain, async (c) => {
      const { domain } = c.req.valid('param');
      const lists = await c.var.admin.change(async (tx, admin) => {
        await removeBlockedDomain(tx, admin, domain, services.now());
        return listBlocked(tx, admin.organization.id);
      });
      return c.json(lists, 200);
    })
    .openapi(addAddress, async (c) => {
      const { address } = c.req.valid('json');
      const { lists, notices } = await c.var.admin.change(async (tx, admin) => {
        const notices = await addBlockedAddress(tx, admin, address, services.now());
        return { lists: await listBlocked(tx, admin.organization.id), notices };
      });
      announce(notices);
      return c.json(lists, 200);
    })
    .openapi(removeAddress, async (c) => {
      const { address } = c.req.valid('json');
      const lists = await c.var.admin.change(async (tx, admin) => {
        await removeBlockedAddress(tx, admin, address, services.now());
        return listBlocked(tx, admin.organization.id);
      });
      return c.json(lists, 200);
    })
    .openapi(getAudit, async (c) => {
      const query = c.req.valid('query');
      // Access first: an outsider learns nothing, not even that a date was malformed.
      const page = await c.var.admin.read((db, admin) =>
        listAudit(db, admin.organization.id, auditFilter(query), query.limit ?? AUDIT_DEFAULT_LIMIT)
      );
      return c.json(page, 200);
    })
    .openapi(getAuditCsv, async (c) => {
      const query = c.req.valid('query');
      const { events } = await c.var.admin.read((db, admin) =>
        listAudit(db, admin.organization.id, auditFilter(query), query.limit ?? AUDIT_CSV_MAX_ROWS)
      );
      const day = services.now().toISOString().slice(0, 10);
      return c.body(auditCsv(events), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="audit-${day}.csv"`,
        'Cache-Control': 'no-store'
      });
    });
}
