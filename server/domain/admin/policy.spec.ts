import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addAdminOrganization, addChat, userByEmail } from '../../../tests/support/admin.ts';
import { addPersonalUser } from '../../../tests/support/external.ts';
import { startTestApp, type TestApp } from '../../../tests/support/harness.ts';
import { tables } from '../../store/index.ts';
import { organizationFor } from '../external/policy.ts';
import { blockedByOrganization, removeBlockedPersonFromChats } from './policy.ts';

let t: TestApp;
let contoso: string;
beforeEach(async () => {
  t = await startTestApp();
  contoso = (await userByEmail(t, 'alice@contoso.test')).organizationId ?? '';
});
afterEach(async () => {
  await t.close();
});

describe('organizationFor', () => {
  it("applies the member's overrides over the organization's settings", async () => {
    await t.store.tx((tx) =>
      tx
        .update(tables.organizations)
        .set({ outboundExternal: sql`false`, requestCap: 4 })
        .where(eq(tables.organizations.id, contoso))
    );
    const alice = await userByEmail(t, 'alice@contoso.test');
    const bruno = await userByEmail(t, 'bruno@contoso.test');
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ outboundOverride: sql`true`, inboundOverride: sql`false` })
        .where(eq(tables.users.id, bruno.id))
    );
    const followsDefault = await organizationFor(t.store.db, alice.id);
    expect([followsDefault?.outboundExternal, followsDefault?.inboundExternal]).toEqual([
      false,
      true
    ]);
    expect(followsDefault?.requestCap).toBe(4);
    const overridden = await organizationFor(t.store.db, bruno.id);
    expect([overridden?.outboundExternal, overridden?.inboundExternal]).toEqual([true, false]);
  });

  it('is null for personal users', async () => {
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    expect(await organizationFor(t.store.db, sam)).toBeNull();
  });
});

describe('blockedByOrganization', () => {
  it('matches a blocked account, a blocked address or a blocked email domain, of that organization only', async () => {
    const { organizationId: fabrikam } = await addAdminOrganization(t, {
      name: 'Fabrikam',
      domain: 'fabrikam.test',
      admin: { name: 'Frank', email: 'frank@fabrikam.test' }
    });
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    const now = t.clock.now();
    await t.store.tx(async (tx) => {
      await tx.insert(tables.blockedAddresses).values({
        organizationId: contoso,
        addressKey: '+33612345678',
        address: '+33612345678',
        userId: sam,
        createdAt: now
      });
      await tx
        .insert(tables.blockedDomains)
        .values({ organizationId: contoso, domain: 'spam.example', createdAt: now });
    });
    type Person = { userId: string | null; addressKeys: string[]; emailDomain: string | null };
    const nobody: Person = { userId: null, addressKeys: [], emailDomain: null };
    const blocked = (organizationId: string, person: Partial<typeof nobody>) =>
      blockedByOrganization(t.store.db, organizationId, { ...nobody, ...person });

    expect(await blocked(contoso, { userId: sam })).toBe(true);
    expect(await blocked(contoso, { addressKeys: ['x@y.org', '+33612345678'] })).toBe(true);
    expect(await blocked(contoso, { emailDomain: 'SPAM.example' })).toBe(true);
    expect(await blocked(contoso, { addressKeys: ['x@y.org'], emailDomain: 'y.org' })).toBe(false);
    expect(await blocked(contoso, {})).toBe(false);
    expect(await blocked(fabrikam, { userId: sam, emailDomain: 'spam.example' })).toBe(false);
  });
});

describe('removeBlockedPersonFromChats', () => {
  it('takes the person out of every chat with a current member of the organization, only those', async () => {
    const alice = await userByEmail(t, 'alice@contoso.test');
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'sam@example.org' });
    const zoe = await addPersonalUser(t, { name: 'Zoé', email: 'zoe@example.org' });
    const withAlice = await addChat(t, [alice.id, sam], { kind: 'direct' });
    const group = await addChat(t, [alice.id, sam, zoe]);
    const outside = await addChat(t, [sam, zoe]);
    // A chat that Alice already left is no longer the organization's.
    const aliceLeft = await addChat(t, [alice.id, sam, zoe]);
    await t.store.tx((tx) =>
      tx
        .update(tables.chatMembers)
        .set({ leftAt: t.clock.now() })
        .where(
          and(eq(tables.chatMembers.chatId, aliceLeft), eq(tables.chatMembers.userId, alice.id))
        )
    );
    t.clock.advance(1000);
    const now = t.clock.now();
    const { chatIds } = await t.store.tx((tx) =>
      removeBlockedPersonFromChats(tx, contoso, sam, now)
    );
    expect(chatIds).toEqual([withAlice, group].sort());
    const rows = await t.store.db
      .select()
      .from(tables.chatMembers)
      .where(eq(tables.chatMembers.userId, sam));
    const leftAt = (chatId: string) => rows.find((row) => row.chatId === chatId)?.leftAt ?? null;
    expect(leftAt(withAlice)).toEqual(now);
    expect(leftAt(group)).toEqual(now);
    expect(leftAt(outside)).toBeNull();
    expect(leftAt(aliceLeft)).toBeNull();
    // Again: nothing more to do.
    const again = await t.store.tx((tx) => removeBlockedPersonFromChats(tx, contoso, sam, now));
    expect(again.chatIds).toEqual([]);
  });
});
