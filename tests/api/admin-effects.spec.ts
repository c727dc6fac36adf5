// What each admin setting does to sessions already open, chats that already exist and
// mutations queued before the change (docs/administration.md): enforced on the very next request.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatState } from '../../common/protocol.ts';
import { acceptedRequest, addPersonalUser, startExternal } from '../support/external.ts';
import { signedInAdmin } from '../support/builders.ts';
import { startTestApp, type Browser, type TestApp } from '../support/harness.ts';
import { deviceFor, lastView as lastViewInLog, type TestDevice } from '../support/sync.ts';

let t: TestApp;
let admin: Browser;
let base: string;
let bruno: TestDevice;
let sam: TestDevice;

beforeEach(async () => {
  t = await startTestApp();
  ({ admin, base } = await signedInAdmin(t));
  await addPersonalUser(t, { name: 'Sam Carter', email: 'sam@example.org' });
  bruno = await deviceFor(t, 'bruno@contoso.test');
  sam = await deviceFor(t, 'sam@example.org');
});
afterEach(async () => {
  await t.close();
});

const applied = { status: 'applied' };
const refused = (code: string) => ({ status: 'rejected', code });

async function change(method: 'patch' | 'post', path: string, body: unknown) {
  const answer = await admin[method](`${base}${path}`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** The latest view of `chatId` in the device's change log, once the switches have spread. */
async function lastView(device: TestDevice, chatId: string): Promise<ChatState | undefined> {
  await t.spread();
  return lastViewInLog(device, chatId);
}

describe('outbound chat', () => {
  it('turned off, refuses the next send of an open session, queued ones too, and makes the chat read-only for both sides', async () => {
    const chatId = await acceptedRequest(bruno, sam, 'sam@example.org');
    expect(await bruno.send(chatId, 'Before')).toMatchObject(applied);
    // Written while offline, before the change; pushed after it.
    const queued = bruno.mutation('message.send', {
      chatId,
      messageId: crypto.randomUUID(),
      body: 'Queued'
    });

    await change('patch', '/settings', { outboundExternal: false });

    expect(await bruno.apply(queued)).toMatchObject([refused('policy_outbound_disabled')]);
    expect(await bruno.send(chatId, 'After')).toMatchObject(refused('policy_outbound_disabled'));
    expect((await startExternal(bruno, 'other@example.org')).result).toMatchObject(
      refused('policy_outbound_disabled')
    );
    expect(await sam.send(chatId, 'Hello?')).toMatchObject(refused('chat_read_only'));
    const readOnly = { reason: 'policy_outbound_disabled' };
    expect((await lastView(bruno, chatId))?.readOnly).toEqual(readOnly);
    expect((await lastView(sam, chatId))?.readOnly).toEqual(readOnly);

    await change('patch', '/settings', { outboundExternal: true });
    expect((await lastView(sam, chatId))?.readOnly).toBeNull();
    expect(await sam.send(chatId, 'Back')).toMatchObject(applied);
    expect(await bruno.send(chatId, 'Back too')).toMatchObject(applied);
  });

  it("follows a member's override over the organization's setting, both ways", async () => {
    const brunoId = bruno.userId;
    const alice = await deviceFor(t, 'alice@contoso.test');
    await change('patch', '/settings', { outboundExternal: false });
    await change('patch', `/members/${brunoId}`, { outbound: 'on' });
    expect((await startExternal(bruno, 'sam@example.org')).result).toMatchObject(applied);
    expect((await startExternal(alice, 'sam@example.org')).result).toMatchObject(
      refused('policy_outbound_disabled')
    );

    await change('patch', '/settings', { outboundExternal: true });
    await change('patch', `/members/${brunoId}`, { outbound: 'off' });
    expect((await startExternal(bruno, 'other@example.org')).result).toMatchObject(
      refused('policy_outbound_disabled')
    );
    expect((await startExternal(alice, 'other@example.org')).result).toMatchObject(applied);
  });
});

describe('inbound chat', () => {
  it('turned off, hides pending requests from members, tells the sender nothing, and suppresses new ones', async () => {
    const { chatId } = await startExternal(sam, 'bruno@contoso.test');
    expect((await lastView(bruno, chatId))?.request).toMatchObject({ role: 'recipient' });
    const samBefore = (await sam.pullAll()).length;

    await change('patch', '/settings', { inboundExternal: false });

    expect((await lastView(bruno, chatId))?.active).toBe(false);
    expect(await bruno.do('request.accept', { chatId })).toMatchObject(refused('chat_not_found'));
    expect((await sam.pullAll()).length).toBe(samBefore);
    expect(await sam.send(chatId, 'Still there?')).toMatchObject(applied);

    // A new request answers as for any address, and reaches nobody.
    const alice = await deviceFor(t, 'alice@contoso.test');
    const second = await startExternal(sam, 'alice@contoso.test');
    expect(second.result).toMatchObject(applied);
    expect(await lastView(alice, second.chatId)).toBeUndefined();
  });
});

describe('blocks', () => {
  it('an address: the person leaves the chats, members cannot reach them, their requests reach nobody', async () => {
    const chatId = await acceptedRequest(bruno, sam, 'sam@example.org');

    await change('post', '/blocked/addresses', { address: 'sam@example.org' });

    expect((await lastView(sam, chatId))?.active).toBe(false);
    expect((await lastView(bruno, chatId))?.readOnly).toEqual({
      reason: 'policy_blocked_by_organization'
    });
    expect(await bruno.send(chatId, 'Hi')).toMatchObject(refused('policy_blocked_by_organization'));
    expect(await sam.send(chatId, 'Hi')).toMatchObject(refused('chat_not_found'));
    expect((await startExternal(bruno, 'SAM@example.org')).result).toMatchObject(
      refused('policy_blocked_by_organization')
    );
    const alice = await deviceFor(t, 'alice@contoso.test');
    const request = await startExternal(sam, 'alice@contoso.test');
    expect(request.result).toMatchObject(applied);
    expect(await lastView(alice, request.chatId)).toBeUndefined();
  });

  it('a domain: everyone on it leaves the chats, and nobody on it can be reached', async () => {
    const chatId = await acceptedRequest(bruno, sam, 'sam@example.org');

    await change('post', '/blocked/domains', { domain: 'example.org' });

    expect((await lastView(sam, chatId))?.active).toBe(false);
    expect((await startExternal(bruno, 'someone@example.org')).result).toMatchObject(
      refused('policy_blocked_by_organization')
    );
    expect((await startExternal(bruno, 'someone@example.net')).result).toMatchObject(applied);
  });
});

describe('what a request’s sender may learn', () => {
  it('sees nothing of the recipient’s outbound setting, nor of their organization blocking them', async () => {
    const { chatId } = await startExternal(sam, 'bruno@contoso.test');
    expect((await lastView(bruno, chatId))?.request).toMatchObject({ role: 'recipient' });
    const before = await sam.pullAll();

    await change('patch', `/members/${bruno.userId}`, { outbound: 'off' });
    await change('post', '/blocked/addresses', { address: 'sam@example.org' });

    expect(await sam.pullAll()).toEqual(before);
    expect(before.at(-1)).toMatchObject({ type: 'chat', chat: { readOnly: null, active: true } });
    expect((await lastView(bruno, chatId))?.active).toBe(false);
    expect(await bruno.do('request.accept', { chatId })).toMatchObject(refused('chat_not_found'));
  });
});

describe('blocks and read-only chats in groups', () => {
  it('nobody brings a blocked person into a chat with the organization’s members', async () => {
    await addPersonalUser(t, { name: 'Zed Park', email: 'zed@example.net' });
    const zed = await deviceFor(t, 'zed@example.net');
    await acceptedRequest(bruno, sam, 'sam@example.org');
    await acceptedRequest(sam, zed, 'zed@example.net');
    const groupId = crypto.randomUUID();
    expect(
      await bruno.do('chat.createGroup', {
        chatId: groupId,
        name: 'Launch',
        memberIds: [sam.userId]
      })
    ).toMatchObject(applied);

    await change('post', '/blocked/addresses', { address: 'zed@example.net' });

    expect(
      await sam.do('chat.addMembers', { chatId: groupId, userIds: [zed.userId] })
    ).toMatchObject(refused('recipient_unavailable'));
  });

  it('a chat read-only by policy cannot be renamed or given new members', async () => {
    await addPersonalUser(t, { name: 'Zed Park', email: 'zed@example.net' });
    const zed = await deviceFor(t, 'zed@example.net');
    await acceptedRequest(bruno, sam, 'sam@example.org');
    await acceptedRequest(sam, zed, 'zed@example.net');
    const groupId = crypto.randomUUID();
    await bruno.do('chat.createGroup', {
      chatId: groupId,
      name: 'Launch',
      memberIds: [sam.userId]
    });

    await change('patch', '/settings', { outboundExternal: false });

    expect(await sam.do('chat.rename', { chatId: groupId, name: 'Ours now' })).toMatchObject(
      refused('chat_read_only')
    );
    expect(
      await sam.do('chat.addMembers', { chatId: groupId, userIds: [zed.userId] })
    ).toMatchObject(refused('chat_read_only'));
  });

  it('a member’s request to an address their organization then blocked can be neither resent nor continued', async () => {
    const { chatId } = await startExternal(bruno, 'new@example.org');
    expect(await bruno.send(chatId, 'Hello')).toMatchObject(applied);

    await change('post', '/blocked/domains', { domain: 'example.org' });

    expect(await bruno.send(chatId, 'Still there?')).toMatchObject(
      refused('policy_blocked_by_organization')
    );
    expect(await bruno.do('invitation.resend', { chatId })).toMatchObject(
      refused('policy_blocked_by_organization')
    );
    expect(await bruno.do('invitation.revoke', { chatId })).toMatchObject(applied);
  });
});

describe('the pre-acceptance cap', () => {
  it('lowered, applies to the next send and reaches the sender’s view of the request', async () => {
    const { chatId } = await startExternal(bruno, 'sam@example.org');
    for (const body of ['One', 'Two', 'Three']) {
      expect(await bruno.send(chatId, body)).toMatchObject(applied);
    }

    await change('patch', '/settings', { requestCap: 3 });

    expect(await bruno.send(chatId, 'Four')).toMatchObject({
      ...refused('cap_reached'),
      details: { cap: 3 }
    });
    expect((await lastView(bruno, chatId))?.request).toMatchObject({ role: 'sender', cap: 3 });
  });
});

describe('invitation limits and SMS countries', () => {
  it('a lower limit of the organization applies to the next invitation', async () => {
    await change('patch', '/settings', { invitationLimits: { perSenderHour: 2 } });
    for (const address of ['one@example.org', 'two@example.org']) {
      expect((await startExternal(bruno, address)).result).toMatchObject(applied);
    }
    expect((await startExternal(bruno, 'three@example.org')).result).toMatchObject({
      ...refused('rate_limited'),
      details: { retryAfterSeconds: expect.any(Number) as number }
    });
  });

  it('a country taken off the SMS list is refused at the next invitation', async () => {
    expect((await startExternal(bruno, '06 12 34 56 78')).result).toMatchObject(applied);
    await change('patch', '/settings', { smsCountries: ['BE'] });
    expect((await startExternal(bruno, '06 12 34 56 79')).result).toMatchObject({
      ...refused('invalid_address'),
      details: { reason: 'country_not_allowed' }
    });
  });
});
