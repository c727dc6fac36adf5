// The people a user can find by name or email to start a chat: their own organization only.
// Outsiders never browse an organization (they need an exact address, in a later issue).
import { and, asc, eq, ne, or, sql } from 'drizzle-orm';
import { tables, type Db } from '../store/index.ts';
import type { Actor } from './sync/rules.ts';

export const DIRECTORY_LIMIT = 20;

export type Person = {
  id: string;
  name: string;
  email: string | null;
  organization: string | null;
};

/** `%` and `_` typed by the user match themselves, not "anything". */
function containsPattern(query: string): string {
  return `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchDirectory(db: Db, actor: Actor, query: string): Promise<Person[]> {
  if (actor.organizationId === null) return [];
  const { users, organizations } = tables;
  const q = query.trim();
  const pattern = containsPattern(q);
  const matches = q
    ? or(
        sql`lower(${users.name}) like ${pattern} escape '\\'`,
        sql`lower(${users.email}) like ${pattern} escape '\\'`
      )
    : undefined;
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      organization: organizations.name
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(eq(users.organizationId, actor.organizationId), ne(users.id, actor.id), matches))
    .orderBy(asc(users.name), asc(users.id))
    .limit(DIRECTORY_LIMIT);
}
