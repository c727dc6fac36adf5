// The admin's block lists: domains and addresses, what a block does to chats, what it refuses.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addChat, addressesOf, adminSnapshot, auditLog, userByEmail } from '../support/admin.ts';
import { addPersonalUser } from '../support/external.ts';
import { signedInAdmin } from '../support/builders.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: Browser;
let base: string;

beforeEach(async () => {
  t = await startTestApp();
  ({ admin: alice, base } = await signedInAdmin(t));
});
afterEach(async () => {
  await t.close();
});

const auditEvents = () => auditLog(alice, base);

describe('admin block lists', () => {
  it('blocks domains in their IDNA form, refuses bad and own domains, and audits changes', async () => {
    const added = await alice.post(`${base}/blocked/domains`, { domain: '@Exämple.ORG ' });
    expect(added.status).toBe(200);
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    expect(added.body?.domains).toEqual([
      {
        domain: 'xn--exmple-cua.org',
        by: { id: aliceId, name: 'Alice Martin' },
        at: '2026-06-01T09:00:00.000Z'
      }
    ]);
    // Again: nothing new.
    await alice.post(`${base}/blocked/domains`, { domain: 'xn--exmple-cua.org' });
    for (const [domain, code] of [
      ['not a domain', 'invalid_domain'],
      ['localhost', 'invalid_domain'],
      ['a@b.org', 'invalid_domain'],
      ['', 'invalid_domain'],
      ['CONTOSO.test', 'own_domain']
    ]) {
      const answer = await alice.post(`${base}/blocked/domains`, { domain });
      expect([domain, answer.status, answer.body?.error.code]).toEqual([domain, 400, code]);
    }
    const removed = await alice.request(
      'DELETE',
      `${base}/blocked/domains/${encodeURIComponent('exämple.org')}`,
      {}
    );
    expect(removed.status).toBe(200);
    expect(removed.body?.domains).toEqual([]);
    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target])).toEqual([
      ['blocked.domain_removed', 'xn--exmple-cua.org'],
      ['blocked.domain_added', 'xn--exmple-cua.org']
    ]);
  });

  it("blocks a person by address: they leave the organization's chats, and devices are told", async () => {
    const aliceId = (await userByEmail(t, 'alice@contoso.test')).id;
    const brunoId = (await userByEmail(t, 'bruno@contoso.test')).id;
    const sam = await addPersonalUser(t, { name: 'Sam', email: 'Sam@example.org' });
    const zoe = await addPersonalUser(t, { name: 'Zoé', phone: '+33612345678' });
    const withUs = await addChat(t, [aliceId, brunoId, sam, zoe]);
    const withoutUs = await addChat(t, [sam, zoe]);

    const blocked = await alice.post(`${base}/blocked/addresses`, { address: 'sam@EXAMPLE.org' });
    expect(blocked.status).toBe(200);
    expect(blocked.body?.addresses).toEqual([
      {
        address: 'sam@example.org',
        name: 'Sam',
        by: { id: aliceId, name: 'Alice Martin' },
        at: '2026-06-01T09:00:00.000Z'
      }
    ]);
    const [row] = await t.store.db.select().from(tables.blockedAddresses);
    expect(row).toMatchObject({ addressKey: 'sam@example.org', userId: sam, createdBy: aliceId });

    const memberships = await t.store.db
      .select()
      .from(tables.chatMembers)
      .where(eq(tables.chatMembers.userId, sam));
    const leftAt = (chatId: string) => memberships.find((m) => m.chatId === chatId)?.leftAt;
    expect(leftAt(withUs)).toEqual(t.clock.now());
    expect(leftAt(withoutUs)).toBeNull();
    // Sam and the members who stay get a `chat` change for the chat Sam left.
    const told = await t.store.db
      .select({ userId: tables.userChanges.userId, payload: tables.userChanges.payload })
      .from(tables.userChanges)
      .where(eq(tables.userChanges.chatId, withUs));
    expect(told.map((c) => c.userId).sort()).toEqual([aliceId, brunoId, sam, zoe].sort());
    const samView = told.find((c) => c.userId === sam)?.payload as { active: boolean };
    expect(samView.active).toBe(false);

    // A national number is read with the organization's region (FR).
    const phone = await alice.post(`${base}/blocked/addresses`, { address: '06 12 34 56 78' });
    expect(addressesOf(phone.body).map((a) => [a.address, a.name])).toEqual([
      ['+33612345678', 'Zoé'],
      ['sam@example.org', 'Sam']
    ]);
    // Someone without an account can be blocked too.
    const nobody = await alice.post(`${base}/blocked/addresses`, { address: 'ghost@example.net' });
    expect(nobody.body?.addresses).toHaveLength(3);

    const removed = await alice.post(`${base}/blocked/addresses/remove`, {
      address: 'SAM@example.org'
    });
    expect(addressesOf(removed.body).map((a) => a.address)).toEqual([
      '+33612345678',
      'ghost@example.net'
    ]);
    const events = await auditEvents();
    expect(events.map((e) => [e.type, e.target, e.targetUserId])).toEqual([
      ['blocked.address_removed', 'sam@example.org', sam],
      ['blocked.address_added', 'ghost@example.net', null],
      ['blocked.address_added', '+33612345678', zoe],
      ['blocked.address_added', 'sam@example.org', sam]
    ]);
  });

  it('refuses invalid addresses, own domains and own members', async () => {
    const before = await adminSnapshot(t);
    for (const [address, code] of [
      ['not an address', 'invalid_address'],
      ['0899 123 456', 'invalid_address'],
      ['', 'invalid_address'],
      ['bruno@contoso.test', 'own_domain']
    ]) {
      const answer = await alice.post(`${base}/blocked/addresses`, { address });
      expect([address, answer.status, answer.body?.error.code]).toEqual([address, 400, code]);
    }
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ phone: '+33612345678' })
        .where(eq(tables.users.email, 'bruno@contoso.test'))
    );
    const member = await alice.post(`${base}/blocked/addresses`, { address: '+33612345678' });
    expect(member.body?.error.code).toBe('own_member');
    expect(await adminSnapshot(t)).toEqual({
      ...before,
      users: expect.any(Array)
    });
  });
});
