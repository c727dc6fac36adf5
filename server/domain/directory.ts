// The people a user can find by name or email to start a chat: their own organization, and the
// people outside it who accepted a chat with them. Outsiders never browse an organization (they
// need an exact address: chat.startExternal).
import { and, asc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { tables, type Db } from '../store/index.ts';
import { acceptedContacts, effectiveSetting, isOff, organizationFor } from './external/policy.ts';
import type { Actor } from './sync/context.ts';
import { sanitizeDisplayName } from './names.ts';

export const DIRECTORY_LIMIT = 20;

export type Person = {
  id: string;
  name: string;
  /** Null for external contacts: the address they use is theirs to share. */
  email: string | null;
  organization: string | null;
  /** Outside the searcher's organization (an accepted contact). */
  external: boolean;
};

/** A LIKE pattern for "contains": `%` and `_` typed by the user match themselves, not "anything". */
export function containsPattern(query: string): string {
  return `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function searchDirectory(db: Db, actor: Actor, query: string): Promise<Person[]> {
  const { users, organizations } = tables;
  const q = query.trim();
  const pattern = containsPattern(q);
  const nameMatches = q ? sql`lower(${users.name}) like ${pattern} escape '\\'` : undefined;
  const colleagues =
    actor.organizationId === null
      ? []
      : await db
          .select({
            id: users.id,
            name: users.name,
            email: users.email,
            organization: organizations.name
          })
          .from(users)
          .innerJoin(organizations, eq(organizations.id, users.organizationId))
          .where(
            and(
              eq(users.organizationId, actor.organizationId),
              ne(users.id, actor.id),
              isNull(users.removedAt),
              q
                ? or(nameMatches, sql`lower(${users.email}) like ${pattern} escape '\\'`)
                : undefined
            )
          )
          .orderBy(asc(users.name), asc(users.id))
          .limit(DIRECTORY_LIMIT);
  const people: Person[] = colleagues.map((person) => ({
    ...person,
    name: sanitizeDisplayName(person.name),
    external: false
  }));
  // Outsiders only while the actor could put them in a chat (docs/external-contacts.md).
  if (!isOff((await organizationFor(db, actor.id))?.outboundExternal)) {
    const contacts = [...(await acceptedContacts(db, actor.id))];
    const found =
      contacts.length === 0
        ? []
        : await db
            .select({
              id: users.id,
              name: users.name,
              organizationId: users.organizationId,
              organization: organizations.name,
              inboundOverride: users.inboundOverride,
              inbound: organizations.inboundExternal
            })
            .from(users)
            .leftJoin(organizations, eq(organizations.id, users.organizationId))
            .where(and(inArray(users.id, contacts), isNull(users.removedAt), nameMatches))
            .orderBy(asc(users.name), asc(users.id))
            .limit(DIRECTORY_LIMIT);
    for (const person of found) {
      const closed = !effectiveSetting(person.inboundOverride, person.inbound);
      if (closed || person.organizationId === actor.organizationId) continue;
      people.push({
        id: person.id,
        name: sanitizeDisplayName(person.name),
        email: null,
        organization: person.organization,
        external: true
      });
    }
  }
  if (people.length === colleagues.length) return people;
  return people
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : 1))
    .slice(0, DIRECTORY_LIMIT);
}
