// Who may use the admin API of an organization: its own admins, checked against the database on
// every call (a demoted admin loses access at once).
import { eq } from 'drizzle-orm';
import { tables, type Db, type Store } from '../../store/index.ts';
import { DomainError } from '../errors.ts';
import type { OrganizationRow } from '../../store/schema.ts';

export type Admin = {
  /** The acting admin, with their name now (recorded in the audit log as it is at the time). */
  actor: { id: string; name: string };
  organization: OrganizationRow;
};

/** Status of each admin refusal; the routes answer with these. */
export const ADMIN_ERROR_STATUS = {
  organization_not_found: 404,
  admin_only: 403,
  member_not_found: 404,
  last_admin: 409,
  cannot_remove_self: 409
} as const;

export const organizationNotFound = () =>
  new DomainError('organization_not_found', 'This organization does not exist or is not yours.');

/**
 * The admin acting on `organizationId`. Anyone outside the organization (admins of another one
 * included) is told it does not exist, so that organization ids cannot be probed.
 */
export async function requireAdmin(db: Db, userId: string, organizationId: string): Promise<Admin> {
  const { users, organizations } = tables;
  const [row] = await db
    .select({ user: users, organization: organizations })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId))
    .limit(1);
  if (!row || row.organization.id !== organizationId) throw organizationNotFound();
  if (row.user.role !== 'admin') {
    throw new DomainError('admin_only', 'Only an admin of this organization can do this.');
  }
  return { actor: { id: row.user.id, name: row.user.name }, organization: row.organization };
}

/**
 * Admin changes to one organization take turns: on PostgreSQL the organization row stays locked
 * until commit (SQLite has a single writer), so two admins cannot demote each other at once.
 */
export async function lockOrganization(store: Store, tx: Db, organizationId: string) {
  if (store.dialect !== 'postgres') return;
  const { organizations } = tables;
  await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .for('update');
}

/** Runs an admin change: access checked, organization locked, all in one transaction. */
export function adminChange<T>(
  store: Store,
  userId: string,
  organizationId: string,
  work: (tx: Db, admin: Admin) => Promise<T>
): Promise<T> {
  return store.tx(async (tx) => {
    await lockOrganization(store, tx, organizationId);
    const admin = await requireAdmin(tx, userId, organizationId);
    return work(tx, admin);
  });
}

/** Runs admin reads on committed data, access checked first. */
export function adminRead<T>(
  store: Store,
  userId: string,
  organizationId: string,
  work: (db: Db, admin: Admin) => Promise<T>
): Promise<T> {
  return store.read(async (db) => work(db, await requireAdmin(db, userId, organizationId)));
}
