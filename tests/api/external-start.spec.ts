// Starting a request across the organization border: who it reaches, what it sends, what it refuses, and the sender's side until it is answered.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acceptedRequest,
  addPersonalUser,
  contosoId,
  setPolicy,
  requestRow,
  sentTo,
  startExternal
} from '../support/external.ts';
import { aliceAndFrank } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, lastView, type TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
let frank: TestDevice;
beforeEach(async () => {
  t = await startTestApp();
  ({ alice, frank } = await aliceAndFrank(t));
});
afterEach(async () => {
  await t.close();
});

const applied = { status: 'applied' };
const refused = (code: string) => ({ status: 'rejected', code });

describe('chat.startExternal', () => {
  it('makes the recipient a member with a request to answer; the sender sees only pending', async () => {
    const { chatId, result } = await startExternal(alice, 'frank@fabrikam.test');
    expect(result).toMatchObject(applied);

    const senderView = await lastView(alice, chatId);
    expect(senderView).toMatchObject({
      id: chatId,
      kind: 'direct',
      active: true,
      external: true,
      members: [{ userId: alice.userId, external: false, organization: 'Contoso' }],
      request: {
        role: 'sender',
        state: 'pending',
        address: 'frank@fabrikam.test',
        cap: 10,
        invitation: { status: 'sent', channel: 'email' }
      }
    });
    const recipientView = await lastView(frank, chatId);
    expect(recipientView).toMatchObject({
      active: true,
      external: true,
      request: { role: 'recipient', state: 'pending', address: 'frank@fabrikam.test' }
    });
    expect(recipientView?.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: alice.userId, organization: 'Contoso', external: true }),
        expect.objectContaining({ userId: frank.userId, external: false })
      ])
    );
    const notices = await sentTo(t, 'frank@fabrikam.test');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('Alice Martin');
    expect(notices[0]?.text).not.toContain('/join#token=');
  });

  it('sends an invitation link to an address with no account from a managed sender', async () => {
    const { chatId, result } = await startExternal(alice, 'newcomer@example.org');
    expect(result).toMatchObject(applied);
    const [invitation] = await sentTo(t, 'newcomer@example.org');
    expect(invitation?.text).toMatch(/\/join#token=/);
    const row = await requestRow(t, chatId);
    expect(row).toMatchObject({ status: 'pending', suppressed: false, recipientId: null });
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends nothing for a personal sender to an address with no account', async () => {
    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const sam = await deviceFor(t, 'sam@example.org');
    const { chatId, result } = await startExternal(sam, 'nobody@example.net');
    expect(result).toMatchObject(applied);
    expect(await sentTo(t, 'nobody@example.net')).toEqual([]);
    expect(await requestRow(t, chatId)).toMatchObject({ suppressed: true });
    expect(await lastView(sam, chatId)).toMatchObject({
      members: [{ userId: sam.userId, organization: null, external: false }],
      request: { role: 'sender', state: 'pending', cap: 10 }
    });
  });

  it('refuses what is not a reachable address: invalid, phones for personal senders, countries off the SMS list', async () => {
    expect((await startExternal(alice, 'not an address')).result).toMatchObject({
      ...refused('invalid_address'),
      details: { reason: 'invalid_phone' }
    });
    expect((await startExternal(alice, '+8613800138000')).result).toMatchObject({
      ...refused('invalid_address'),
      details: { reason: 'country_not_allowed' }
    });
    // France is on the default list; a national number is read with the organization's region.
    expect((await startExternal(alice, '06 12 34 56 78')).result).toMatchObject(applied);
    await setPolicy(t, await contosoId(t), { smsCountries: ['BE'] });
    expect((await startExternal(alice, '+33612345679')).result).toMatchObject({
      ...refused('invalid_address'),
      details: { reason: 'country_not_allowed' }
    });

    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const sam = await deviceFor(t, 'sam@example.org');
    expect((await startExternal(sam, '+33612345678')).result).toMatchObject({
      ...refused('invalid_address'),
      details: { reason: 'email_only' }
    });
    const chats = await t.store.db.select().from(tables.messageRequests);
    expect(chats).toHaveLength(1);
  });

  it("makes a colleague's address an ordinary 1:1 chat, and points at it the second time", async () => {
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const { chatId, result } = await startExternal(alice, 'Bruno@contoso.test');
    expect(result).toMatchObject(applied);
    expect(await lastView(bruno, chatId)).toMatchObject({ external: false, request: null });
    expect(await requestRow(t, chatId)).toBeUndefined();
    const again = await startExternal(alice, 'bruno@contoso.test');
    expect(again.result).toMatchObject({ ...refused('direct_chat_exists'), details: { chatId } });
    // What the device queued under its own id goes to the real chat.
    expect(await alice.send(again.chatId, 'hi')).toMatchObject(applied);
  });

  it('refuses starting (and sending in) external chats while the organization has outbound off', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    await setPolicy(t, await contosoId(t), { outboundExternal: false });
    expect((await startExternal(alice, 'fiona@fabrikam.test')).result).toMatchObject(
      refused('policy_outbound_disabled')
    );
    expect(await alice.send(chatId, 'still there?')).toMatchObject(
      refused('policy_outbound_disabled')
    );
    // Chats inside the organization are not affected.
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    expect(
      await alice.do('chat.createDirect', { chatId: randomUUID(), userId: bruno.userId })
    ).toMatchObject(applied);
  });

  it('refuses a chat id already taken', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    expect(
      await alice.do('chat.startExternal', { chatId, address: 'fiona@fabrikam.test' })
    ).toMatchObject(refused('duplicate_id'));
  });

  it('answers an accepted contact with the chat that exists', async () => {
    const chatId = await acceptedRequest(alice, frank, 'frank@fabrikam.test');
    expect((await startExternal(alice, 'frank@fabrikam.test')).result).toMatchObject({
      ...refused('direct_chat_exists'),
      details: { chatId }
    });
  });

  it('refuses with rate_limited past the per-address limit, creating nothing and sending nothing', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await startExternal(alice, 'target@example.org')).result).toMatchObject(applied);
    }
    const over = await startExternal(alice, 'target@example.org');
    expect(over.result).toMatchObject(refused('rate_limited'));
    expect(
      over.result.status === 'rejected' && over.result.details?.retryAfterSeconds
    ).toBeGreaterThan(0);
    expect(await requestRow(t, over.chatId)).toBeUndefined();
    expect(await sentTo(t, 'target@example.org')).toHaveLength(3);
  });
});

describe('before acceptance', () => {
  it("refuses the sender's message past the organization's cap with cap_reached", async () => {
    await setPolicy(t, await contosoId(t), { requestCap: 3 });
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    for (let i = 0; i < 3; i++) expect(await alice.send(chatId, `m${i}`)).toMatchObject(applied);
    expect(await alice.send(chatId, 'one more')).toMatchObject({
      ...refused('cap_reached'),
      details: { cap: 3 }
    });
    const boot = (await alice.browser.get('/api/sync/bootstrap')).body;
    expect(boot?.chats[0]).toMatchObject({ id: chatId, request: { cap: 3 }, lastSeq: 3 });
    await frank.do('request.accept', { chatId });
    expect(await alice.send(chatId, 'now we talk')).toMatchObject({ ...applied, chatSeq: 4 });
  });

  it('refuses the recipient writing before they accept', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    expect(await frank.send(chatId, 'who is this?')).toMatchObject(refused('request_not_accepted'));
    await frank.do('request.accept', { chatId });
    expect(await frank.send(chatId, 'hello')).toMatchObject(applied);
  });

  it("keeps read markers on the reader's own devices until the request is accepted", async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    await alice.send(chatId, 'hi');
    const aliceCursor = (await alice.pull(0, 1000)).cursor;
    expect(await frank.do('chat.read', { chatId, seq: 1 })).toMatchObject(applied);
    expect((await alice.pull(aliceCursor)).changes).toEqual([]);

    await frank.do('request.accept', { chatId });
    await alice.send(chatId, 'thanks');
    const before = (await alice.pull(0, 1000)).cursor;
    await frank.do('chat.read', { chatId, seq: 2 });
    expect((await alice.pull(before)).changes).toMatchObject([
      { type: 'read', chatId, userId: frank.userId, seq: 2 }
    ]);
  });
});

describe('the invitation', () => {
  it('revoke kills the link and removes the recipient; sending is refused until a resend', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    expect(await alice.do('invitation.revoke', { chatId })).toMatchObject(applied);
    expect(await requestRow(t, chatId)).toMatchObject({ tokenHash: null });
    expect(await lastView(frank, chatId)).toMatchObject({ active: false });
    expect(await lastView(alice, chatId)).toMatchObject({
      request: { invitation: { status: 'revoked' } }
    });
    expect(await alice.send(chatId, 'hello?')).toMatchObject(refused('request_revoked'));

    t.clock.advance(60_000);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    expect(await lastView(frank, chatId)).toMatchObject({ active: true });
    const view = await lastView(alice, chatId);
    expect(view?.request).toMatchObject({
      invitation: { status: 'sent', sentAt: t.clock.now().toISOString() }
    });
    expect(await alice.send(chatId, 'hello again')).toMatchObject(applied);
    expect(await sentTo(t, 'frank@fabrikam.test')).toHaveLength(2);
  });

  it('resend replaces the token and the expiry, and is counted on the rate limits', async () => {
    const { chatId } = await startExternal(alice, 'guest@example.org');
    const first = await requestRow(t, chatId);
    t.clock.advance(60 * 60 * 1000);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    const second = await requestRow(t, chatId);
    expect(second?.tokenHash).not.toBe(first?.tokenHash);
    expect(second?.expiresAt.getTime()).toBe((first?.expiresAt.getTime() ?? 0) + 60 * 60 * 1000);
    const links = (await sentTo(t, 'guest@example.org')).map(
      (m) => m.text.match(/token=(\S+)/)?.[1]
    );
    expect(new Set(links).size).toBe(2);
    // Two more on the same address the same day, and the limit of 3 is passed.
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(refused('rate_limited'));
  });
});

describe('personal senders', () => {
  it('reach a managed user by email, up to 10 messages before acceptance', async () => {
    await addPersonalUser(t, { name: 'Sam Doe', email: 'sam@example.org' });
    const sam = await deviceFor(t, 'sam@example.org');
    const { chatId, result } = await startExternal(sam, 'frank@fabrikam.test');
    expect(result).toMatchObject(applied);
    expect(await lastView(frank, chatId)).toMatchObject({
      request: { role: 'recipient', state: 'pending' },
      members: expect.arrayContaining([
        expect.objectContaining({ userId: sam.userId, organization: null, external: true })
      ])
    });
    for (let i = 0; i < 10; i++) expect(await sam.send(chatId, `m${i}`)).toMatchObject(applied);
    expect(await sam.send(chatId, 'm10')).toMatchObject({
      ...refused('cap_reached'),
      details: { cap: 10 }
    });
  });
});
