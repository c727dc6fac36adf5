// The recipient's answers to a request (accept, decline, block), the requests their answers suppress, and chats with accepted contacts.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootstrapResponse, MutationResult } from '../../common/protocol.ts';
import {
  acceptedRequest,
  contosoId,
  setPolicy,
  requestRow,
  setRequestsAllowed,
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
let fabrikam: string;
beforeEach(async () => {
  t = await startTestApp();
  ({ fabrikam, alice, frank } = await aliceAndFrank(t));
});
afterEach(async () => {
  await t.close();
});

const applied = { status: 'applied' };
const refused = (code: string) => ({ status: 'rejected', code });

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
    expect(await sentTo(t, '+33612345678')).toHaveLength(1); // the first request only
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
    expect(await sentTo(t, 'frank@fabrikam.test')).toHaveLength(1);
    expect(await sentTo(t, '+33612345678')).toHaveLength(1);
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
    expect(await sentTo(t, 'frank@fabrikam.test')).toHaveLength(2);
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
    expect(await sentTo(t, 'frank@fabrikam.test')).toEqual([]);
    expect(await sentTo(t, 'fiona@fabrikam.test')).toEqual([]);
    expect(await sentTo(t, 'new@fabrikam.test')).toEqual([]);
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
    expect(await sentTo(t, 'guest@example.org')).toEqual([]);
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    await startExternal(bruno, 'guest@example.org');
    expect(await sentTo(t, 'guest@example.org')).toHaveLength(1);
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
