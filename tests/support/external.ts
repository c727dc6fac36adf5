// Factories for external-contact specs: other organizations, personal accounts, policy settings,
// and a normaliser that hides what legitimately differs between two answers (ids, times).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { tables } from '../../server/store/index.ts';
import type { MutationResult } from '../../common/protocol.ts';
import type { TestApp } from './harness.ts';
import { deviceFor, type TestDevice } from './sync.ts';

type OrganizationPatch = Partial<
  Pick<
    typeof tables.organizations.$inferInsert,
    'outboundExternal' | 'inboundExternal' | 'requestCap' | 'smsCountries'
  >
>;

/** A personal account (no organization), made directly so that specs need no sign-up flow. */
export async function addPersonalUser(
  t: TestApp,
  person: { name: string; email?: string; phone?: string; region?: string }
): Promise<string> {
  const id = randomUUID();
  await t.store.tx((tx) =>
    tx.insert(tables.users).values({
      id,
      organizationId: null,
      role: null,
      name: person.name,
      email: person.email ?? null,
      emailKey: person.email?.toLowerCase() ?? null,
      phone: person.phone ?? null,
      region: person.region ?? 'FR',
      locale: 'en',
      createdAt: t.clock.now()
    })
  );
  return id;
}

/** Another organization with its domain and members; returns its id. */
export async function addOrganization(
  t: TestApp,
  org: { name: string; domain: string; region?: string; people: { name: string; email: string }[] }
): Promise<string> {
  const id = randomUUID();
  const now = t.clock.now();
  await t.store.tx(async (tx) => {
    await tx
      .insert(tables.organizations)
      .values({ id, name: org.name, defaultRegion: org.region ?? 'US', createdAt: now });
    await tx
      .insert(tables.organizationDomains)
      .values({ domain: org.domain, organizationId: id, createdAt: now });
    await tx.insert(tables.users).values(
      org.people.map((person) => ({
        id: randomUUID(),
        organizationId: id,
        role: 'member' as const,
        name: person.name,
        email: person.email,
        emailKey: person.email.toLowerCase(),
        locale: 'en' as const,
        createdAt: now
      }))
    );
  });
  return id;
}

/** The seeded organization (Contoso). */
/** The stored request of a 1:1 request chat, as the server holds it. */
export async function requestRow(t: TestApp, chatId: string) {
  const [row] = await t.store.db
    .select()
    .from(tables.messageRequests)
    .where(eq(tables.messageRequests.chatId, chatId));
  return row;
}

export async function contosoId(t: TestApp): Promise<string> {
  const [row] = await t.store.db
    .select({ id: tables.organizations.id })
    .from(tables.organizations)
    .where(eq(tables.organizations.name, 'Contoso'));
  if (!row) throw new Error('Contoso is not seeded');
  return row.id;
}

export async function setPolicy(t: TestApp, organizationId: string, patch: OrganizationPatch) {
  await t.store.tx((tx) =>
    tx.update(tables.organizations).set(patch).where(eq(tables.organizations.id, organizationId))
  );
}

export async function setRequestsAllowed(t: TestApp, userId: string, allowed: boolean) {
  await t.store.tx((tx) =>
    tx.update(tables.users).set({ requestsAllowed: allowed }).where(eq(tables.users.id, userId))
  );
}

/** Starts a request from `sender` to `address`; returns the new chat id and the push result. */
export async function startExternal(
  sender: TestDevice,
  address: string
): Promise<{ chatId: string; result: MutationResult }> {
  const chatId = randomUUID();
  const result = await sender.do('chat.startExternal', { chatId, address });
  return { chatId, result };
}

/** Starts a request and has the recipient accept it; fails the test if either is refused. */
export async function acceptedRequest(sender: TestDevice, recipient: TestDevice, address: string) {
  const { chatId, result } = await startExternal(sender, address);
  if (result.status !== 'applied') throw new Error(`start refused: ${JSON.stringify(result)}`);
  const accepted = await recipient.do('request.accept', { chatId });
  if (accepted.status !== 'applied') throw new Error(`accept refused: ${JSON.stringify(accepted)}`);
  return chatId;
}

/** Email and SMS delivered so far to `to` other than sign-in codes. */
export async function sentTo(t: TestApp, to: string) {
  await t.services.notifier.idle();
  return [...t.email.sent, ...t.sms.sent].filter(
    (m) => m.to === to && (m.text.includes('/join#token=') || m.text.includes('request'))
  );
}

/** Signs in a person added by a factory. */
export const signIn = (t: TestApp, email: string) => deviceFor(t, email);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;

/**
 * `value` as JSON with ids numbered by first appearance, times replaced, and each of `also`
 * (e.g. the address typed) replaced by a placeholder: what is left must not differ.
 */
export function normalized(value: unknown, also: string[] = []): unknown {
  let text = JSON.stringify(value);
  for (const [i, literal] of also.entries()) text = text.split(literal).join(`<literal ${i}>`);
  const ids = new Map<string, string>();
  text = text.replace(UUID, (id) => {
    if (!ids.has(id)) ids.set(id, `<id ${ids.size}>`);
    return ids.get(id) as string;
  });
  return JSON.parse(text.replace(ISO_TIME, '<time>'));
}
