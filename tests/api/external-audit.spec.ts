import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addPersonalUser,
  contosoId,
  setPolicy,
  setRequestsAllowed,
  startExternal
} from '../support/external.ts';
import { aliceAndFrank } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
let frank: TestDevice;
let contoso: string;
let fabrikam: string;
beforeEach(async () => {
  t = await startTestApp();
  contoso = await contosoId(t);
  ({ fabrikam, alice, frank } = await aliceAndFrank(t));
});
afterEach(async () => {
  await t.close();
});

const applied = { status: 'applied' };

/** One organization's log, oldest first, as an admin would read each event. */
async function logOf(organizationId: string) {
  const { auditEvents: a } = tables;
  const rows = await t.store.db
    .select()
    .from(a)
    .where(eq(a.organizationId, organizationId))
    .orderBy(asc(a.id));
  return rows.map((row) => ({
    type: row.type,
    actorId: row.actorId,
    actorName: row.actorName,
    targetUserId: row.targetUserId,
    target: row.target,
    details: row.details
  }));
}

const allEvents = () => t.store.db.select().from(tables.auditEvents);

async function pending(sender: TestDevice, address: string): Promise<string> {
  const { chatId, result } = await startExternal(sender, address);
  expect(result).toMatchObject(applied);
  return chatId;
}

describe('invitations in the audit log', () => {
  it("records invitation.sent in the sender's organization, with the address as normalised", async () => {
    await pending(alice, '06 12 34 56 78');
    await pending(alice, 'Frank@Fabrikam.TEST');
    expect(await logOf(contoso)).toEqual([
      {
        type: 'invitation.sent',
        actorId: alice.userId,
        actorName: 'Alice Martin',
        targetUserId: null,
        target: '+33612345678',
        details: { channel: 'sms' }
      },
      {
        type: 'invitation.sent',
        actorId: alice.userId,
        actorName: 'Alice Martin',
        targetUserId: null,
        target: 'Frank@fabrikam.test',
        details: { channel: 'email' }
      }
    ]);
    expect(await logOf(fabrikam)).toEqual([]);
  });

  it('records the same event whoever holds the address, or whether it reaches them', async () => {
    const fiona = await deviceFor(t, 'fiona@fabrikam.test');
    await setRequestsAllowed(t, fiona.userId, false);
    await pending(alice, 'frank@fabrikam.test'); // reaches Frank
    await pending(alice, 'fiona@fabrikam.test'); // suppressed: Fiona refuses requests
    await pending(alice, 'nobody@example.org'); // no account: an invitation link
    const [reached, suppressed, invited] = await logOf(contoso);
    const without = (event: typeof reached) => ({ ...event, target: undefined });
    expect(without(suppressed)).toEqual(without(reached));
    expect(without(invited)).toEqual(without(reached));
    expect([reached?.target, suppressed?.target, invited?.target]).toEqual([
      'frank@fabrikam.test',
      'fiona@fabrikam.test',
      'nobody@example.org'
    ]);
  });

  it('records invitation.resent and invitation.revoked, a second revoke only once', async () => {
    const chatId = await pending(alice, 'frank@fabrikam.test');
    expect(await alice.do('invitation.revoke', { chatId })).toMatchObject(applied);
    expect(await alice.do('invitation.revoke', { chatId })).toMatchObject(applied);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    const log = await logOf(contoso);
    expect(log.map((event) => event.type)).toEqual([
      'invitation.sent',
      'invitation.revoked',
      'invitation.resent'
    ]);
    for (const event of log) {
      expect(event).toMatchObject({
        actorId: alice.userId,
        targetUserId: null,
        target: 'frank@fabrikam.test',
        details: { channel: 'email' }
      });
    }
    expect(await logOf(fabrikam)).toEqual([]);
  });

  it('records a resend after a decline like any other, telling nothing of the decline', async () => {
    const chatId = await pending(alice, 'frank@fabrikam.test');
    await frank.do('request.decline', { chatId });
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    expect((await logOf(contoso)).map((event) => event.type)).toEqual([
      'invitation.sent',
      'invitation.resent'
    ]);
  });

  it('records nothing for a refused start or resend', async () => {
    await setPolicy(t, contoso, { outboundExternal: false });
    expect((await startExternal(alice, 'frank@fabrikam.test')).result).toMatchObject({
      code: 'policy_outbound_disabled'
    });
    await setPolicy(t, contoso, { outboundExternal: true });
    const chatId = await pending(alice, 'guest@example.org');
    await alice.do('invitation.resend', { chatId });
    await alice.do('invitation.resend', { chatId });
    // The per-address limit (3 a day) is passed.
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject({
      code: 'rate_limited'
    });
    expect((await logOf(contoso)).map((event) => event.type)).toEqual([
      'invitation.sent',
      'invitation.resent',
      'invitation.resent'
    ]);
  });

  it('records nothing for a personal sender', async () => {
    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const sam = await deviceFor(t, 'sam@example.org');
    const chatId = await pending(sam, 'frank@fabrikam.test');
    await sam.do('invitation.revoke', { chatId });
    await sam.do('invitation.resend', { chatId });
    // Up to the personal cap of 10, and once past it.
    for (let i = 0; i < 10; i++) expect(await sam.send(chatId, `note ${i}`)).toMatchObject(applied);
    expect(await sam.send(chatId, 'one more')).toMatchObject({ code: 'cap_reached' });
    expect(await allEvents()).toEqual([]);
  });
});

describe('answers in the audit log', () => {
  it('records request.accepted on both sides, each about the other person', async () => {
    const chatId = await pending(alice, 'frank@fabrikam.test');
    expect(await frank.do('request.accept', { chatId })).toMatchObject(applied);
    expect((await logOf(contoso)).at(-1)).toEqual({
      type: 'request.accepted',
      actorId: frank.userId,
      actorName: 'Frank Miller',
      targetUserId: frank.userId,
      target: 'Frank Miller',
      details: { address: 'frank@fabrikam.test' }
    });
    expect(await logOf(fabrikam)).toEqual([
      {
        type: 'request.accepted',
        actorId: frank.userId,
        actorName: 'Frank Miller',
        targetUserId: alice.userId,
        target: 'Alice Martin',
        details: null
      }
    ]);
  });

  it('records request.accepted only on the managed side when the other is personal', async () => {
    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const sam = await deviceFor(t, 'sam@example.org');
    const chatId = await pending(sam, 'frank@fabrikam.test');
    expect(await frank.do('request.accept', { chatId })).toMatchObject(applied);
    expect(await logOf(fabrikam)).toMatchObject([
      { type: 'request.accepted', targetUserId: sam.userId, target: 'Sam Doe' }
    ]);
    expect(await allEvents()).toHaveLength(1);
  });

  it("records request.declined in the recipient's organization only", async () => {
    const chatId = await pending(alice, 'frank@fabrikam.test');
    expect(await frank.do('request.decline', { chatId })).toMatchObject(applied);
    expect(await logOf(fabrikam)).toEqual([
      {
        type: 'request.declined',
        actorId: frank.userId,
        actorName: 'Frank Miller',
        targetUserId: alice.userId,
        target: 'Alice Martin',
        details: null
      }
    ]);
    expect((await logOf(contoso)).map((event) => event.type)).toEqual(['invitation.sent']);
  });

  it("records request.blocked once, in the recipient's organization only, even when it closes several requests", async () => {
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ phone: '+33698765432' })
        .where(eq(tables.users.id, frank.userId))
    );
    const chatId = await pending(alice, 'frank@fabrikam.test');
    await pending(alice, '+33698765432');
    expect(await frank.do('request.block', { chatId })).toMatchObject(applied);
    expect(await logOf(fabrikam)).toEqual([
      {
        type: 'request.blocked',
        actorId: frank.userId,
        actorName: 'Frank Miller',
        targetUserId: alice.userId,
        target: 'Alice Martin',
        details: null
      }
    ]);
    expect((await logOf(contoso)).map((event) => event.type)).toEqual([
      'invitation.sent',
      'invitation.sent'
    ]);
  });

  it('records nothing for a personal recipient who declines or blocks', async () => {
    await addPersonalUser(t, { name: 'Pat Roe', email: 'pat@example.org' });
    const pat = await deviceFor(t, 'pat@example.org');
    const declined = await pending(alice, 'pat@example.org');
    expect(await pat.do('request.decline', { chatId: declined })).toMatchObject(applied);
    // A declined sender's next request would not reach Pat: another colleague asks.
    const blocked = await pending(await deviceFor(t, 'bruno@contoso.test'), 'pat@example.org');
    expect(await pat.do('request.block', { chatId: blocked })).toMatchObject(applied);
    expect((await allEvents()).map((event) => event.type)).toEqual([
      'invitation.sent',
      'invitation.sent'
    ]);
  });
});

describe('the cap in the audit log', () => {
  it('records request.cap_reached once, when the cap-th message is stored, not on refusals', async () => {
    await setPolicy(t, contoso, { requestCap: 3 });
    const chatId = await pending(alice, 'frank@fabrikam.test');
    const bodies = ['first secret', 'second secret', 'third secret', 'fourth', 'fifth'];
    expect(await alice.send(chatId, bodies[0] ?? '')).toMatchObject(applied);
    expect(await alice.send(chatId, bodies[1] ?? '')).toMatchObject(applied);
    expect((await logOf(contoso)).map((event) => event.type)).toEqual(['invitation.sent']);
    expect(await alice.send(chatId, bodies[2] ?? '')).toMatchObject(applied);
    expect(await alice.send(chatId, bodies[3] ?? '')).toMatchObject({ code: 'cap_reached' });
    expect(await alice.send(chatId, bodies[4] ?? '')).toMatchObject({ code: 'cap_reached' });
    const log = await logOf(contoso);
    expect(log.filter((event) => event.type === 'request.cap_reached')).toEqual([
      {
        type: 'request.cap_reached',
        actorId: alice.userId,
        actorName: 'Alice Martin',
        targetUserId: null,
        target: 'frank@fabrikam.test',
        details: { cap: 3 }
      }
    ]);
    expect(await logOf(fabrikam)).toEqual([]);

    // After acceptance the count goes on without another event.
    await frank.do('request.accept', { chatId });
    expect(await alice.send(chatId, 'now we talk')).toMatchObject(applied);
    expect(await frank.send(chatId, 'we do')).toMatchObject(applied);
    expect(
      (await logOf(contoso)).filter((event) => event.type === 'request.cap_reached')
    ).toHaveLength(1);
  });

  it('records cap_reached for each request separately', async () => {
    await setPolicy(t, contoso, { requestCap: 1 });
    const toFrank = await pending(alice, 'frank@fabrikam.test');
    const toGuest = await pending(alice, 'guest@example.org');
    await alice.send(toFrank, 'hello');
    await alice.send(toGuest, 'hello');
    expect(
      (await logOf(contoso))
        .filter((event) => event.type === 'request.cap_reached')
        .map((event) => event.target)
    ).toEqual(['frank@fabrikam.test', 'guest@example.org']);
  });
});

it('never records message contents', async () => {
  const secret = 'the launch code is 0000';
  await setPolicy(t, contoso, { requestCap: 2 });
  const chatId = await pending(alice, 'frank@fabrikam.test');
  await alice.send(chatId, secret);
  await alice.send(chatId, `${secret} again`);
  await alice.send(chatId, `${secret} refused`);
  await alice.do('invitation.revoke', { chatId });
  await alice.do('invitation.resend', { chatId });
  await frank.do('request.accept', { chatId });
  const other = await pending(alice, 'fiona@fabrikam.test');
  await alice.send(other, secret);
  const fiona = await deviceFor(t, 'fiona@fabrikam.test');
  await fiona.do('request.block', { chatId: other });

  const events = await allEvents();
  expect(new Set(events.map((event) => event.type))).toEqual(
    new Set([
      'invitation.sent',
      'invitation.revoked',
      'invitation.resent',
      'request.cap_reached',
      'request.accepted',
      'request.blocked'
    ])
  );
  expect(JSON.stringify(events)).not.toContain('launch code');
});
