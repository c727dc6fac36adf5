// Sign-in sessions: a random token in the cookie, only its hash on the server.
import { eq, sql } from 'drizzle-orm';
import { prepared, tables, type Db, type Store } from '../store/index.ts';
import type { OrganizationRow, UserRow } from '../store/schema.ts';
import { randomToken, tokenHash } from './secrets.ts';

export const SESSION_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000;
/** Activity extends a session, but at most one write per session per hour. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

export type SignedIn = {
  user: UserRow;
  organization: OrganizationRow | null;
  tokenHash: string;
  /** When the session ends unless activity extends it (the socket hub closes it then). */
  expiresAt: Date;
};

export async function createSession(tx: Db, userId: string, now: Date): Promise<string> {
  const token = randomToken();
  await tx.insert(tables.sessions).values({
    tokenHash: tokenHash(token),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
  });
  return token;
}

/** Every request asks this: the query is built once (see `prepared`). */
const sessionByHash = prepared('session_by_hash', (db, name) => {
  const { sessions, users, organizations } = tables;
  return db
    .select({ session: sessions, user: users, organization: organizations })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(sessions.tokenHash, sql.placeholder('hash')))
    .limit(1)
    .prepare(name);
});

export async function findSession(
  store: Store,
  token: string,
  now: Date
): Promise<SignedIn | null> {
  const hash = tokenHash(token);
  const { sessions } = tables;
  const [row] = await sessionByHash(store.db).execute({ hash });
  if (!row || row.session.expiresAt.getTime() <= now.getTime()) return null;
  // A removed member's sessions were deleted; this is the backstop for any that were not.
  if (row.user.removedAt !== null) return null;
  let expiresAt = row.session.expiresAt;
  if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
    await store.tx((tx) =>
      tx.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.tokenHash, hash))
    );
  }
  return { user: row.user, organization: row.organization, tokenHash: hash, expiresAt };
}

export async function revokeSession(tx: Db, hash: string): Promise<void> {
  await tx.delete(tables.sessions).where(eq(tables.sessions.tokenHash, hash));
}

export async function revokeAllSessions(tx: Db, userId: string): Promise<void> {
  await tx.delete(tables.sessions).where(eq(tables.sessions.userId, userId));
}
