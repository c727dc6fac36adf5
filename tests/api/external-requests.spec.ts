import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootstrapResponse, ChatState, MutationResult } from '../../common/protocol.ts';
import {
  acceptedRequest,
  addPersonalUser,
  contosoId,
  setPolicy,
  requestRow,
  setRequestsAllowed,
  startExternal
} from '../support/external.ts';
import { addFabrikam } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
let frank: TestDevice;
let fabrikam: string;
beforeEach(async () => {
  t = await startTestApp();
  fabrikam = await addFabrikam(t);
  alice = await deviceFor(t, 'alice@contoso.test');
  frank = await deviceFor(t, 'frank@fabrikam.test');
});
afterEach(async () => {
  await t.close();
});

const applied = { status: 'applied' };
const refused = (code: string) => ({ status: 'rejected', code });

/** The latest view of `chatId` in the device's change log. */
async function lastView(device: TestDevice, chatId: string): Promise<ChatState | undefined> {
  const changes = await device.pullAll();
  const views = changes.flatMap((c) => (c.type === 'chat' && c.chat.id === chatId ? [c.chat] : []));
  return views.at(-1);
}

/** Email and SMS delivered so far to `to` other than sign-in codes. */
async function sentTo(to: string) {
  await t.services.notifier.idle();
  return [...t.email.sent, ...t.sms.sent].filter(
    (m) => m.to === to && (m.text.includes('/join#token=') || m.text.includes('request'))
  );
}

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
    const notices = await sentTo('frank@fabrikam.test');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text).toContain('Alice Martin');
    expect(notices[0]?.text).not.toContain('/join#token=');
  });

  it('sends an invitation link to an address with no account from a managed sender', async () => {
    const { chatId, result } = await startExternal(alice, 'newcomer@example.org');
    expect(result).toMatchObject(applied);
    const [invitation] = await sentTo('newcomer@example.org');
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
    expect(await sentTo('nobody@example.net')).toEqual([]);
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
    expect(await sentTo('target@example.org')).toHaveLength(3);
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
    expect(await sentTo('frank@fabrikam.test')).toHaveLength(2);
  });

  it('resend replaces the token and the expiry, and is counted on the rate limits', async () => {
    const { chatId } = await startExternal(alice, 'guest@example.org');
    const first = await requestRow(t, chatId);
    t.clock.advance(60 * 60 * 1000);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    const second = await requestRow(t, chatId);
    expect(second?.tokenHash).not.toBe(first?.tokenHash);
    expect(second?.expiresAt.getTime()).toBe((first?.expiresAt.getTime() ?? 0) + 60 * 60 * 1000);
    const links = (await sentTo('guest@example.org')).map((m) => m.text.match(/token=(\S+)/)?.[1]);
    expect(new Set(links).size).toBe(2);
    // Two more on the same address the same day, and the limit of 3 is passed.
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(applied);
    expect(await alice.do('invitation.resend', { chatId })).toMatchObject(refused('rate_limited'));
  });
});

describe('the recipient answers', () => {
  it('accept makes them contacts: members, a 1:1 key, and both sides told', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    expect(await frank.do('request.accept', { chatId })).toMatchObject(applied);
    const senderView = await lastView(alice, chatId);
    expect(senderView).toMatchObject({ external: true, request: { state: 'accepted' } });
    expect(senderView?.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: frank.userId, organization: 'Fabrikam', external: true })
      ])
    );
    expect(await lastView(frank, chatId)).toMatchObject({ request: { state: 'accepted' } });
    expect(
      await alice.do('chat.createDirect', { chatId: randomUUID(), userId: frank.userId })
    ).toMatchObject({ ...refused('direct_chat_exists'), details: { chatId } });
    const boot = (await alice.browser.get('/api/sync/bootstrap')).body as BootstrapResponse;
    expect(boot.chats.find((c) => c.id === chatId)).toEqual(senderView);
  });

  it("cannot accept while the sender's outbound chat is off; can once it is on again", async () => {
    const contoso = await contosoId(t);
    const override = (value: boolean | null) =>
      t.store.tx((tx) =>
        tx
          .update(tables.users)
          .set({ outboundOverride: value })
          .where(eq(tables.users.id, alice.userId))
      );
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    await setPolicy(t, contoso, { outboundExternal: false });
    expect(await frank.do('request.accept', { chatId })).toMatchObject(refused('chat_read_only'));
    expect(await requestRow(t, chatId)).toMatchObject({ status: 'pending' });
    // The sender's own override counts, either way.
    await override(true);
    await setPolicy(t, contoso, { outboundExternal: true });
    await override(false);
    expect(await frank.do('request.accept', { chatId })).toMatchObject(refused('chat_read_only'));
    await override(null);
    expect(await frank.do('request.accept', { chatId })).toMatchObject(applied);
    expect(await requestRow(t, chatId)).toMatchObject({ status: 'accepted' });
  });

  it("still lets the recipient decline or block while the sender's outbound chat is off", async () => {
    const contoso = await contosoId(t);
    const first = await startExternal(alice, 'frank@fabrikam.test');
    const second = await startExternal(alice, 'fiona@fabrikam.test');
    const fiona = await deviceFor(t, 'fiona@fabrikam.test');
    await setPolicy(t, contoso, { outboundExternal: false });
    expect(await frank.do('request.decline', { chatId: first.chatId })).toMatchObject(applied);
    expect(await fiona.do('request.block', { chatId: second.chatId })).toMatchObject(applied);
  });

  it('decline hides the chat from the recipient and tells the sender nothing', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    await alice.send(chatId, 'hi');
    const before = (await alice.pull(0, 1000)).cursor;
    expect(await frank.do('request.decline', { chatId })).toMatchObject(applied);
    expect((await alice.pull(before)).changes).toEqual([]);
    expect(await lastView(frank, chatId)).toMatchObject({
      active: false,
      request: { state: 'declined' }
    });
    expect(await alice.send(chatId, 'hello?')).toMatchObject({ ...applied, chatSeq: 2 });
    const frankBoot = (await frank.browser.get('/api/sync/bootstrap')).body;
    expect(frankBoot?.chats).toEqual([]);
    expect(await lastView(alice, chatId)).toMatchObject({ request: { state: 'pending' } });
  });

  it("block hides the chat and silences the sender's later requests, at any address", async () => {
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({
          phone: '+33612345678',
          email: 'frank.miller@fabrikam.test',
          emailKey: 'frank.miller@fabrikam.test'
        })
        .where(eq(tables.users.id, frank.userId))
    );
    // Two open requests to two of Frank's addresses (the second by SMS).
    const { chatId } = await startExternal(alice, 'frank.miller@fabrikam.test');
    const other = await startExternal(alice, '+33612345678');
    expect(await lastView(frank, other.chatId)).toMatchObject({ active: true });
    const before = (await alice.pull(0, 1000)).cursor;
    expect(await frank.do('request.block', { chatId })).toMatchObject(applied);
    expect((await alice.pull(before)).changes).toEqual([]);
    expect(await lastView(frank, chatId)).toMatchObject({
      active: false,
      request: { state: 'blocked' }
    });
    expect(await lastView(frank, other.chatId)).toMatchObject({
      active: false,
      request: { state: 'blocked' }
    });

    const frankCursor = (await frank.pull(0, 1000)).cursor;
    const later = await startExternal(alice, '+33612345678');
    expect(later.result).toMatchObject(applied);
    expect((await frank.pull(frankCursor)).changes).toEqual([]);
    expect(await requestRow(t, later.chatId)).toMatchObject({
      suppressed: true,
      recipientId: frank.userId
    });
    expect(await sentTo('+33612345678')).toHaveLength(1); // the first request only
    expect(
      await alice.do('chat.createDirect', { chatId: randomUUID(), userId: frank.userId })
    ).toMatchObject(refused('recipient_unavailable'));
  });

  it("decline silences the sender's new requests to that person at any address, without telling them", async () => {
    await t.store.tx((tx) =>
      tx
        .update(tables.users)
        .set({ phone: '+33612345678' })
        .where(eq(tables.users.id, frank.userId))
    );
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    const other = await startExternal(alice, '+33612345678');
    expect(await frank.do('request.decline', { chatId })).toMatchObject(applied);
    // The open request at his other address goes with it.
    expect(await lastView(frank, other.chatId)).toMatchObject({
      active: false,
      request: { state: 'declined' }
    });

    const frankCursor = (await frank.pull(0, 1000)).cursor;
    const again = await startExternal(alice, 'frank@fabrikam.test');
    const byPhone = await startExternal(alice, '+33612345678');
    for (const later of [again, byPhone]) {
      expect(later.result).toMatchObject(applied);
      expect(await requestRow(t, later.chatId)).toMatchObject({
        suppressed: true,
        recipientId: frank.userId
      });
      expect(await lastView(alice, later.chatId)).toMatchObject({
        request: { role: 'sender', state: 'pending' }
      });
    }
    expect(await alice.do('invitation.resend', { chatId: again.chatId })).toMatchObject(applied);
    expect(await alice.send(again.chatId, 'are you there?')).toMatchObject(applied);
    expect((await frank.pull(frankCursor)).changes).toEqual([]);
    // One email and one SMS: the first two requests only.
    expect(await sentTo('frank@fabrikam.test')).toHaveLength(1);
    expect(await sentTo('+33612345678')).toHaveLength(1);
    // Nor can the sender bring the person into a group: they accepted nothing from her.
    expect(
      await alice.do('chat.createGroup', {
        chatId: randomUUID(),
        name: 'Launch',
        memberIds: [frank.userId]
      })
    ).toMatchObject(refused('recipient_unavailable'));
  });

  it('a decline lasts until the person writes to the sender', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    expect(await frank.do('request.decline', { chatId })).toMatchObject(applied);
    // Frank opens a chat with Alice: not yet writing to her.
    const back = await startExternal(frank, 'alice@contoso.test');
    expect(back.result).toMatchObject(applied);
    const silent = await startExternal(alice, 'frank@fabrikam.test');
    expect(await requestRow(t, silent.chatId)).toMatchObject({ suppressed: true });

    t.clock.advance(60_000);
    expect(await frank.send(back.chatId, 'Sorry, who are you again?')).toMatchObject(applied);
    const heard = await startExternal(alice, 'frank@fabrikam.test');
    expect(await requestRow(t, heard.chatId)).toMatchObject({
      suppressed: false,
      recipientId: frank.userId
    });
    expect(await lastView(frank, heard.chatId)).toMatchObject({
      active: true,
      request: { role: 'recipient', state: 'pending' }
    });
    expect(await sentTo('frank@fabrikam.test')).toHaveLength(2);
  });

  it('answers chat_not_found to every request mutation on a chat that is not theirs to answer', async () => {
    const { chatId } = await startExternal(alice, 'frank@fabrikam.test');
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const ordinary = randomUUID();
    await alice.do('chat.createDirect', { chatId: ordinary, userId: bruno.userId });
    const answers = ['request.accept', 'request.decline', 'request.block'] as const;
    const controls = ['invitation.resend', 'invitation.revoke'] as const;
    // One device's pushes must go in order: one at a time.
    const tries: (() => Promise<MutationResult>)[] = [];
    for (const type of [...answers, ...controls]) {
      tries.push(() => bruno.do(type, { chatId })); // a stranger
      tries.push(() => bruno.do(type, { chatId: randomUUID() })); // a guessed id
      tries.push(() => bruno.do(type, { chatId: ordinary })); // a chat that is no request
    }
    for (const type of answers) tries.push(() => alice.do(type, { chatId })); // the sender
    for (const type of controls) tries.push(() => frank.do(type, { chatId })); // the recipient
    for (const attempt of tries) {
      expect(await attempt()).toMatchObject(refused('chat_not_found'));
    }
    await frank.do('request.decline', { chatId });
    expect(await frank.do('request.accept', { chatId })).toMatchObject(refused('chat_not_found'));
  });
});

describe('suppressed requests', () => {
  it('reach nobody who refuses requests or whose organization closed inbound chat', async () => {
    await setRequestsAllowed(t, frank.userId, false);
    const toFrank = await startExternal(alice, 'frank@fabrikam.test');
    await setPolicy(t, fabrikam, { inboundExternal: false });
    const toFiona = await startExternal(alice, 'fiona@fabrikam.test');
    const toNewcomer = await startExternal(alice, 'new@fabrikam.test');
    for (const started of [toFrank, toFiona, toNewcomer]) {
      expect(started.result).toMatchObject(applied);
      expect(await requestRow(t, started.chatId)).toMatchObject({ suppressed: true });
    }
    expect(await frank.pullAll()).toEqual([]);
    expect(await sentTo('frank@fabrikam.test')).toEqual([]);
    expect(await sentTo('fiona@fabrikam.test')).toEqual([]);
    expect(await sentTo('new@fabrikam.test')).toEqual([]);
  });

  it("reach no address whose holder refused this sender's invitations, and no other sender is affected", async () => {
    await t.store.tx((tx) =>
      tx.insert(tables.invitationRefusals).values({
        addressKey: 'guest@example.org',
        senderId: alice.userId,
        createdAt: t.clock.now()
      })
    );
    const refusedStart = await startExternal(alice, 'guest@example.org');
    expect(refusedStart.result).toMatchObject(applied);
    expect(await requestRow(t, refusedStart.chatId)).toMatchObject({ suppressed: true });
    expect(await sentTo('guest@example.org')).toEqual([]);
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    await startExternal(bruno, 'guest@example.org');
    expect(await sentTo('guest@example.org')).toHaveLength(1);
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

describe('chats with accepted contacts', () => {
  it('lets a group include an accepted contact, and refuses anyone else from outside', async () => {
    await acceptedRequest(alice, frank, 'frank@fabrikam.test');
    const [fiona] = await t.store.db
      .select({ id: tables.users.id })
      .from(tables.users)
      .where(eq(tables.users.email, 'fiona@fabrikam.test'));
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const chatId = randomUUID();
    expect(
      await alice.do('chat.createGroup', {
        chatId,
        name: 'Project',
        memberIds: [bruno.userId, frank.userId]
      })
    ).toMatchObject(applied);
    const view = await lastView(bruno, chatId);
    expect(view?.external).toBe(true);
    expect(view?.members.find((m) => m.userId === frank.userId)).toMatchObject({
      external: true,
      organization: 'Fabrikam'
    });
    expect(await frank.send(chatId, 'hello all')).toMatchObject(applied);

    expect(await alice.do('chat.addMembers', { chatId, userIds: [fiona?.id ?? ''] })).toMatchObject(
      refused('recipient_unavailable')
    );
    // Bruno is not Frank's contact: he cannot add him anywhere else.
    expect(
      await bruno.do('chat.createGroup', {
        chatId: randomUUID(),
        name: 'Side',
        memberIds: [frank.userId]
      })
    ).toMatchObject(refused('recipient_unavailable'));
    expect(
      await alice.do('chat.createGroup', {
        chatId: randomUUID(),
        name: 'Ghosts',
        memberIds: ['no-such-user']
      })
    ).toMatchObject(refused('user_not_found'));
  });
});
