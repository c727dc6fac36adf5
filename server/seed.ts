// A demo organization for a fresh database, so that `npm start` has someone to sign in as.
import { randomUUID } from 'node:crypto';
import { tables, type Store } from './store/index.ts';
import type { Role } from './store/schema.ts';

export const DEMO = {
  organization: { name: 'Contoso', domain: 'contoso.test', region: 'FR' },
  people: [
    { name: 'Alice Martin', email: 'alice@contoso.test', role: 'admin' },
    { name: 'Bruno Petit', email: 'bruno@contoso.test', role: 'member' },
    { name: 'Chloé Durand', email: 'chloe@contoso.test', role: 'member' }
  ] satisfies { name: string; email: string; role: Role }[]
};

/** Seeds the demo organization when the database has none; returns whether it did. */
export async function seedDemo(store: Store, now = new Date()): Promise<boolean> {
  return store.tx(async (tx) => {
    const existing = await tx
      .select({ id: tables.organizations.id })
      .from(tables.organizations)
      .limit(1);
    if (existing.length > 0) return false;
    const organizationId = randomUUID();
    await tx.insert(tables.organizations).values({
      id: organizationId,
      name: DEMO.organization.name,
      defaultRegion: DEMO.organization.region,
      createdAt: now
    });
    await tx.insert(tables.organizationDomains).values({
      domain: DEMO.organization.domain,
      organizationId,
      createdAt: now
    });
    await tx.insert(tables.users).values(
      DEMO.people.map((person) => ({
        id: randomUUID(),
        organizationId,
        role: person.role,
        name: person.name,
        email: person.email,
        emailKey: person.email.toLowerCase(),
        createdAt: now
      }))
    );
    return true;
  });
}

export function demoSignInHelp(publicUrl: string, devOutbox: boolean): string {
  const where = devOutbox
    ? `the code appears in the development outbox at ${publicUrl}/dev/outbox`
    : 'the code is sent by email';
  return [
    `Seeded the demo organization ${DEMO.organization.name} (${DEMO.organization.domain}, phone region ${DEMO.organization.region}).`,
    `Sign in at ${publicUrl}/signin as any of these; ${where}:`,
    ...DEMO.people.map(
      (p) => `  ${p.role === 'admin' ? 'admin ' : 'member'}  ${p.name.padEnd(14)} ${p.email}`
    )
  ].join('\n');
}
