import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptedRequest,
  addPersonalUser,
  contosoId,
  setPolicy,
  startExternal
} from '../support/external.ts';
import { addFabrikam, signedIn } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const names = (body: Record<string, any> | null) =>
  (body?.people as { name: string }[]).map((p) => p.name);

describe('directory', () => {
  it('finds colleagues by part of their name or email, ignoring case, never yourself', async () => {
    const alice = await signedIn(t, 'alice@contoso.test');
    expect(names((await alice.get('/api/directory')).body)).toEqual([
      'Bruno Petit',
      'Chloé Durand'
    ]);
    expect(names((await alice.get('/api/directory?q=PETIT')).body)).toEqual(['Bruno Petit']);
    expect(names((await alice.get('/api/directory?q=chloe%40contoso')).body)).toEqual([
      'Chloé Durand'
    ]);
    expect(names((await alice.get('/api/directory?q=alice')).body)).toEqual([]);
    const bruno = (await alice.get('/api/directory?q=bruno')).body?.people[0];
    expect(bruno).toEqual({
      id: expect.any(String),
      name: 'Bruno Petit',
      email: 'bruno@contoso.test',
      organization: 'Contoso',
      external: false
    });
  });

  it('treats % and _ as plain characters', async () => {
    const alice = await signedIn(t, 'alice@contoso.test');
    expect(names((await alice.get('/api/directory?q=%25')).body)).toEqual([]);
    expect(names((await alice.get('/api/directory?q=_')).body)).toEqual([]);
  });

  it('never shows people of another organization, and gives personal accounts nobody', async () => {
    const now = new Date();
    await t.store.tx(async (tx) => {
      await tx
        .insert(tables.organizations)
        .values({ id: 'fabrikam', name: 'Fabrikam', defaultRegion: 'US', createdAt: now });
      await tx.insert(tables.users).values({
        id: 'frank',
        organizationId: 'fabrikam',
        role: 'member',
        name: 'Bruno Fabrikam',
        email: 'bruno@fabrikam.test',
        emailKey: 'bruno@fabrikam.test',
        createdAt: now
      });
    });
    const alice = await signedIn(t, 'alice@contoso.test');
    expect(names((await alice.get('/api/directory?q=bruno')).body)).toEqual(['Bruno Petit']);

    const sam = t.browser();
    await sam.signIn(t, 'sam@example.org', 'Sam');
    expect((await sam.get('/api/directory?q=bruno')).body).toEqual({ people: [] });
    expect((await sam.get('/api/directory')).body).toEqual({ people: [] });
  });

  it('answers at most 20 people', async () => {
    const [contoso] = await t.store.db.select().from(tables.organizations);
    const now = new Date();
    await t.store.tx((tx) =>
      tx.insert(tables.users).values(
        Array.from({ length: 30 }, (_, i) => ({
          id: `colleague-${i}`,
          organizationId: contoso?.id ?? '',
          role: 'member' as const,
          name: `Colleague ${String(i).padStart(2, '0')}`,
          email: `colleague${i}@contoso.test`,
          emailKey: `colleague${i}@contoso.test`,
          createdAt: now
        }))
      )
    );
    const alice = await signedIn(t, 'alice@contoso.test');
    const found = names((await alice.get('/api/directory?q=colleague')).body);
    expect(found).toHaveLength(20);
    expect(found[0]).toBe('Colleague 00');
  });

  it('answers 401 when signed out', async () => {
    expect((await t.browser().get('/api/directory?q=a')).status).toBe(401);
  });

  it('adds accepted external contacts, marked external, without their email; personal accounts see only theirs', async () => {
    await addFabrikam(t);
    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const alice = await deviceFor(t, 'alice@contoso.test');
    const frank = await deviceFor(t, 'frank@fabrikam.test');
    const sam = await deviceFor(t, 'sam@example.org');
    await acceptedRequest(alice, frank, 'frank@fabrikam.test');
    await acceptedRequest(sam, alice, 'alice@contoso.test');
    // Pending or declined requests make nobody a contact.
    await startExternal(alice, 'fiona@fabrikam.test');

    const found = (await alice.browser.get('/api/directory')).body?.people as unknown[];
    expect(found).toEqual([
      expect.objectContaining({ name: 'Bruno Petit', external: false }),
      expect.objectContaining({ name: 'Chloé Durand', external: false }),
      {
        id: frank.userId,
        name: 'Frank Miller',
        email: null,
        organization: 'Fabrikam',
        external: true
      },
      { id: sam.userId, name: 'Sam Doe', email: null, organization: null, external: true }
    ]);
    expect(names((await alice.browser.get('/api/directory?q=frank')).body)).toEqual([
      'Frank Miller'
    ]);
    // A contact is found by name only: their address is not searchable.
    expect(names((await alice.browser.get('/api/directory?q=fabrikam')).body)).toEqual([]);
    expect(names((await sam.browser.get('/api/directory')).body)).toEqual(['Alice Martin']);

    await setPolicy(t, await contosoId(t), { outboundExternal: false });
    expect(names((await alice.browser.get('/api/directory')).body)).toEqual([
      'Bruno Petit',
      'Chloé Durand'
    ]);
  });
});
