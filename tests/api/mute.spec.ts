// Muting a chat (`chat.mute`, `chat.unmute`): the person's own choice, on every device they
// have, and nobody else's business.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BootstrapResponse, Change, Mutation } from '../../common/protocol.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, TestDevice } from '../support/sync.ts';

const HOUR = 60 * 60 * 1000;

let t: TestApp;
let chloe: TestDevice;
let chloePhone: TestDevice;
let bruno: TestDevice;
let chatId: string;

beforeEach(async () => {
  t = await startTestApp();
  chloe = await deviceFor(t, 'chloe@contoso.test');
  chloePhone = await deviceFor(t, 'chloe@contoso.test');
  bruno = await deviceFor(t, 'bruno@contoso.test');
  chatId = randomUUID();
  await bruno.do('chat.createGroup', { chatId, name: 'Launch', memberIds: [chloe.userId] });
});
afterEach(async () => {
  await t.close();
});

/** The server's clock `ms` from now, as a device would write it. */
const fromNow = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();

/** A mutation made at the server's time (the test clock is not the real one). */
function madeNow(mutation: Mutation, at = fromNow(0)): Mutation {
  return { ...mutation, at };
}

async function mute(device: TestDevice, until: string | null, at?: string) {
  const [result] = await device.apply(madeNow(device.mutation('chat.mute', { chatId, until }), at));
  return result;
}

async function cursor(device: TestDevice): Promise<number> {
  return (await device.pull()).cursor;
}

const muteOf = (changes: Change[]) =>
  changes.flatMap((change) => (change.type === 'chat' ? [change.chat.mute] : []));

async function bootstrappedMute(device: TestDevice) {
  const boot = (await device.browser.get('/api/sync/bootstrap')).body as BootstrapResponse;
  return boot.chats.find((chat) => chat.id === chatId)?.mute;
}

describe('chat.mute', () => {
  it('reaches the person’s other devices and no other member', async () => {
    const [phoneFrom, brunoFrom] = [await cursor(chloePhone), await cursor(bruno)];
    const until = fromNow(8 * HOUR);
    expect(await mute(chloe, until)).toMatchObject({ status: 'applied' });

    expect(muteOf(await chloePhone.pullAll(phoneFrom))).toEqual([{ until }]);
    expect(await bruno.pullAll(brunoFrom)).toEqual([]);
    expect(await bootstrappedMute(chloePhone)).toEqual({ until });
    expect(await bootstrappedMute(bruno)).toBeNull();

    // Any later change of the chat carries each member's own mute.
    const renamedFrom = await cursor(chloePhone);
    await bruno.do('chat.rename', { chatId, name: 'Launch day' });
    expect(muteOf(await chloePhone.pullAll(renamedFrom))).toEqual([{ until }]);
    expect(muteOf(await bruno.pullAll(brunoFrom))).toEqual([null]);
  });

  it('mutes until turned on, and unmutes on every device', async () => {
    expect(await mute(chloe, null)).toMatchObject({ status: 'applied' });
    expect(await bootstrappedMute(chloePhone)).toEqual({ until: null });
    const from = await cursor(chloePhone);
    expect(await chloe.do('chat.unmute', { chatId })).toMatchObject({ status: 'applied' });
    expect(muteOf(await chloePhone.pullAll(from))).toEqual([null]);
    expect(await bootstrappedMute(chloe)).toBeNull();
  });

  it('applies a mute that arrives after its end as nothing (queued offline too long)', async () => {
    const before = await cursor(chloePhone);
    expect(await mute(chloe, fromNow(-HOUR), fromNow(-2 * HOUR))).toMatchObject({
      status: 'applied'
    });
    expect(await chloePhone.pullAll(before)).toEqual([]);
    expect(await bootstrappedMute(chloe)).toBeNull();
  });

  it('refuses a time before the action or over a year away, and people outside the chat', async () => {
    for (const until of [fromNow(-HOUR), fromNow(367 * 24 * HOUR)]) {
      expect(await mute(chloe, until)).toMatchObject({
        status: 'rejected',
        code: 'invalid_mute_until'
      });
    }
    const alice = await deviceFor(t, 'alice@contoso.test');
    expect(await mute(alice, fromNow(HOUR))).toMatchObject({ code: 'chat_not_found' });
    expect(await alice.do('chat.unmute', { chatId })).toMatchObject({ code: 'chat_not_found' });
    await chloe.do('chat.leave', { chatId });
    expect(await mute(chloe, fromNow(HOUR))).toMatchObject({ code: 'chat_not_found' });
    // Not a time at all: the request itself is refused.
    const broken = { ...chloe.mutation('chat.mute', { chatId, until: 'tomorrow' }) };
    expect((await chloe.push([broken])).status).toBe(400);
  });
});
