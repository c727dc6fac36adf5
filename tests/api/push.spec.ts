// Web Push end to end: a browser subscribes through the API, messages are committed, and a real
// push service on loopback checks each push's VAPID token and decrypts its payload.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Notifier } from '../../server/messaging/notifier.ts';
import { RecordingTransport } from '../support/harness.ts';
import { egressRule } from '../../server/push/egress.ts';
import { chatTopic } from '../../server/push/payload.ts';
import { pushTransport } from '../../server/push/transport.ts';
import { openStore, tables } from '../../server/store/index.ts';
import { addFabrikam, signedInAdmin } from '../support/builders.ts';
import { signIn, startExternal } from '../support/external.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { LiveSocket, serveLive } from '../support/live.ts';
import { PushReceiver } from '../support/push-receiver.ts';
import { deviceFor, TestDevice } from '../support/sync.ts';

let t: TestApp;
let receiver: PushReceiver;
let bruno: TestDevice;
let chloe: TestDevice;

beforeEach(async () => {
  t = await startTestApp();
  receiver = await new PushReceiver(t.services.push?.publicKey ?? '').start();
  bruno = await deviceFor(t, 'bruno@contoso.test');
  chloe = await deviceFor(t, 'chloe@contoso.test');
});
afterEach(async () => {
  await t.close();
  await receiver.close();
  expect(receiver.problems).toEqual([]);
});

/** Subscribes `device`'s browser; returns the receiver's id of the subscription. */
async function subscribe(device: TestDevice, status?: number[]): Promise<string> {
  const subscription = receiver.subscription(status);
  const answer = await device.browser.post('/api/push/subscriptions', subscription.json);
  expect([answer.status, answer.body]).toEqual([201, null]);
  return subscription.id;
}

async function directChat(from: TestDevice, to: TestDevice): Promise<string> {
  const chatId = randomUUID();
  expect(await from.do('chat.createDirect', { chatId, userId: to.userId })).toMatchObject({
    status: 'applied'
  });
  return chatId;
}

async function subscriptionRows() {
  return t.store.db.select().from(tables.pushSubscriptions);
}

describe('push subscriptions', () => {
  it('gives the VAPID key, stores one row per endpoint, and deletes it', async () => {
    const key = await chloe.browser.get('/api/push/key');
    expect(key.status).toBe(200);
    expect(Buffer.from(key.body?.publicKey as string, 'base64url')).toHaveLength(65);

    const subscription = receiver.subscription();
    const path = '/api/push/subscriptions';
    expect((await chloe.browser.post(path, subscription.json)).status).toBe(201);
    expect((await chloe.browser.post(path, subscription.json)).status).toBe(200);
    expect(await subscriptionRows()).toHaveLength(1);
    // A new subscription of the same browser replaces the old one.
    const renewed = receiver.subscription();
    expect((await chloe.browser.post(path, renewed.json)).status).toBe(201);
    expect((await subscriptionRows()).map((row) => row.endpoint)).toEqual([renewed.json.endpoint]);

    // Someone else cannot remove it; its owner can.
    const endpoint = { endpoint: renewed.json.endpoint };
    expect((await bruno.browser.request('DELETE', path, endpoint)).status).toBe(204);
    expect(await subscriptionRows()).toHaveLength(1);
    expect((await chloe.browser.request('DELETE', path, endpoint)).status).toBe(204);
    expect(await subscriptionRows()).toHaveLength(0);
  });

  it('refuses hostile subscriptions', async () => {
    const { json } = receiver.subscription();
    const path = '/api/push/subscriptions';
    const keys = json.keys;
    const refused = [
      [{ ...json, endpoint: 'ftp://127.0.0.1/push' }, 'invalid_endpoint'],
      [{ ...json, endpoint: 'http://10.0.0.1/push' }, 'invalid_endpoint'],
      [{ ...json, endpoint: 'https://user:pw@push.example.com/x' }, 'invalid_endpoint'],
      [{ ...json, endpoint: 'not a url' }, 'invalid_endpoint'],
      [{ ...json, endpoint: `https://push.example.com/${'x'.repeat(3000)}` }, 'invalid_request'],
      [{ ...json, keys: { ...keys, p256dh: keys.p256dh.slice(4) } }, 'invalid_request'],
      [{ ...json, keys: { ...keys, auth: `${keys.auth}!` } }, 'invalid_request'],
      [{ ...json, keys: { ...keys, p256dh: `BA${'A'.repeat(85)}` } }, 'invalid_subscription'],
      [{ endpoint: json.endpoint }, 'invalid_request']
    ] as const;
    for (const [body, code] of refused) {
      const answer = await chloe.browser.post(path, body);
      expect([answer.status, answer.body?.error?.code]).toEqual([400, code]);
    }
    expect(await subscriptionRows()).toHaveLength(0);
    expect((await t.browser().post(path, json)).status).toBe(401);
  });
});

describe('push notifications', () => {
  it('pushes a colleague’s message with its text to each subscribed device, not to the sender', async () => {
    const phone = await subscribe(chloe);
    const laptop = await subscribe(await deviceFor(t, 'chloe@contoso.test'));
    const own = await subscribe(bruno);
    const chatId = await directChat(bruno, chloe);
    await bruno.send(chatId, 'Lunch at noon?');
    await t.pushesSent();

    for (const id of [phone, laptop]) {
      expect(receiver.for(id)).toEqual([
        {
          subscription: id,
          headers: { ttl: '86400', urgency: 'high', topic: chatTopic(chatId) },
          payload: {
            chatId,
            title: 'Bruno Petit',
            body: 'Lunch at noon?',
            tag: `chat:${chatId}`,
            kind: 'message',
            unread: 1
          }
        }
      ]);
    }
    expect(receiver.for(own)).toEqual([]);
  });

  it('names the group, at normal urgency', async () => {
    const id = await subscribe(chloe);
    const chatId = randomUUID();
    await bruno.do('chat.createGroup', { chatId, name: 'Design', memberIds: [chloe.userId] });
    await bruno.send(chatId, 'Mockups are up');
    await t.pushesSent();
    expect(receiver.for(id).map((push) => [push.headers.urgency, push.payload])).toEqual([
      ['normal', expect.objectContaining({ title: 'Bruno Petit · Design', body: 'Mockups are up' })]
    ]);
  });

  it('notifies a message request once, with who asks and none of the text', async () => {
    await addFabrikam(t);
    const frank = await signIn(t, 'frank@fabrikam.test');
    const id = await subscribe(chloe);
    const { chatId } = await startExternal(frank, 'chloe@contoso.test');
    await frank.send(chatId, 'Secret offer inside');
    await t.pushesSent();
    await frank.send(chatId, 'Another secret');
    await t.pushesSent();
    const pushes = receiver.for(id);
    expect(pushes.map((push) => push.payload)).toEqual([
      {
        chatId,
        title: 'Message request',
        body: 'Frank Miller · Fabrikam · External',
        tag: `chat:${chatId}`,
        kind: 'request',
        unread: 1
      }
    ]);
    expect(JSON.stringify(pushes)).not.toMatch(/secret|http/i);
    expect(pushes[0]?.headers.urgency).toBe('high');

    // Once accepted, it is a chat like any other: the text shows, with the External mark.
    await chloe.do('request.accept', { chatId });
    await frank.send(chatId, 'Thanks!');
    await t.pushesSent();
    expect(receiver.for(id).at(-1)?.payload).toMatchObject({
      title: 'Frank Miller (External)',
      body: 'Thanks!',
      kind: 'message'
    });
  });

  it('says "New message" when the organization turned previews off', async () => {
    const { admin, base } = await signedInAdmin(t);
    const saved = await admin.patch(`${base}/settings`, { notificationPreviews: false });
    expect(saved.body?.settings?.notificationPreviews).toBe(false);
    const id = await subscribe(chloe);
    const chatId = await directChat(bruno, chloe);
    await bruno.send(chatId, 'Board minutes attached');
    await t.pushesSent();
    expect(receiver.for(id).map((push) => push.payload)).toEqual([
      expect.objectContaining({ title: 'Bruno Petit', body: 'New message' })
    ]);
    expect(JSON.stringify(receiver.received)).not.toContain('Board minutes');
  });

  it('pushes nothing for a muted chat until the mute ends', async () => {
    const id = await subscribe(chloe);
    const chatId = await directChat(bruno, chloe);
    const hour = 60 * 60 * 1000;
    const until = new Date(t.clock.now().getTime() + hour).toISOString();
    // Made at the server's time: the test clock is not the real one.
    const at = t.clock.now().toISOString();
    const muting = { ...chloe.mutation('chat.mute', { chatId, until }), at };
    expect(await chloe.apply(muting)).toMatchObject([{ status: 'applied' }]);
    await bruno.send(chatId, 'muted');
    await t.pushesSent();
    expect(receiver.for(id)).toEqual([]);
    t.clock.advance(hour + 1);
    await bruno.send(chatId, 'heard');
    await t.pushesSent();
    expect(receiver.for(id).map((push) => push.payload.body)).toEqual(['heard']);
  });

  it('pushes nothing to a browser that signed out, or that has the app open', async () => {
    const id = await subscribe(chloe);
    const chatId = await directChat(bruno, chloe);
    const push = t.services.push;
    if (!push) throw new Error('no push service');
    push.presence = { showing: () => true };
    await bruno.send(chatId, 'seen in the app');
    await t.pushesSent();
    push.presence = null;
    expect(receiver.for(id)).toEqual([]);

    expect((await chloe.browser.post('/api/auth/sign-out')).status).toBe(204);
    expect(await subscriptionRows()).toHaveLength(0);
    await bruno.send(chatId, 'after sign-out');
    await t.pushesSent();
    expect(receiver.received).toEqual([]);
  });

  it('forgets a subscription the push service says is gone, and retries a busy one', async () => {
    const gone = await subscribe(chloe, [410]);
    const busy = await subscribe(await deviceFor(t, 'chloe@contoso.test'), [429, 503, 201]);
    const chatId = await directChat(bruno, chloe);
    await bruno.send(chatId, 'hello');
    await t.pushesSent();
    expect(receiver.for(gone)).toEqual([]);
    expect(receiver.for(busy).map((push) => push.payload.body)).toEqual(['hello']);
    const rows = await subscriptionRows();
    expect(rows.map((row) => row.endpoint)).toEqual([expect.stringContaining(busy)]);
    const queue = await t.store.db.select().from(tables.outgoingMessages);
    expect(queue).toEqual([]);
  });

  it('counts a refused push and forgets the subscription after three in a row', async () => {
    const refused = await subscribe(chloe, [400]);
    const chatId = await directChat(bruno, chloe);
    const failures = async () =>
      (
        await t.store.db
          .select({ failures: tables.pushSubscriptions.failures })
          .from(tables.pushSubscriptions)
          .where(eq(tables.pushSubscriptions.userId, chloe.userId))
      ).map((row) => row.failures);
    await bruno.send(chatId, 'one');
    await t.pushesSent();
    expect(await failures()).toEqual([1]);
    await bruno.send(chatId, 'two');
    await bruno.send(chatId, 'three');
    await t.pushesSent();
    expect(await failures()).toEqual([]);
    expect(receiver.for(refused)).toEqual([]);
  });
});

describe('a browser with the app open', () => {
  it('gets no push while its page shows, and gets them once the page says it is hidden', async () => {
    const live = await serveLive(t.services);
    const push = t.services.push;
    if (!push) throw new Error('no push service');
    push.presence = live.realtime;
    try {
      const id = await subscribe(chloe);
      const chatId = await directChat(bruno, chloe);
      const socket = await LiveSocket.open(live.wsUrl, {
        cookie: chloe.browser.sessionCookie ?? '',
        origin: live.origin
      });
      await socket.nextOf('hello');
      await bruno.send(chatId, 'on screen');
      await t.pushesSent();
      expect(receiver.for(id)).toEqual([]);

      socket.socket.send(JSON.stringify({ type: 'visibility', visible: false }));
      const [row] = await subscriptionRows();
      while (live.realtime.showing(row?.sessionHash ?? '')) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await bruno.send(chatId, 'in the background');
      await t.pushesSent();
      expect(receiver.for(id).map((received) => received.payload.body)).toEqual([
        'in the background'
      ]);
    } finally {
      push.presence = null;
      await live.close();
    }
  });
});

describe('several instances', () => {
  it('deliver each push once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const browser = await t.signedInAs(chloe.userId);
      ids.push(await subscribe(new TestDevice(browser, chloe.userId)));
    }
    // A second instance on the same database (on SQLite, a second deliverer in this process).
    const other = t.databaseUrl
      ? await openStore({ databaseUrl: t.databaseUrl, dataDir: os.tmpdir() })
      : t.store;
    const second = new Notifier(other, {
      email: new RecordingTransport(),
      sms: new RecordingTransport(),
      push: pushTransport(other, t.vapid, egressRule('test'))
    });
    try {
      const chatId = await directChat(bruno, chloe);
      for (const text of ['one', 'two', 'three']) await bruno.send(chatId, text);
      await t.services.push?.idle();
      await Promise.all([second.idle(), t.pushesSent()]);
      for (const id of ids) {
        // Once each; two deliverers may send them in either order.
        const bodies = receiver.for(id).map((push) => String(push.payload.body));
        expect(bodies.sort()).toEqual(['one', 'three', 'two']);
      }
    } finally {
      await second.stop();
      if (other !== t.store) await other.close();
    }
  });
});
