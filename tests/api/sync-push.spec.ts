// Pushing mutations: each stored exactly once however often it is sent, and the messages it writes.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, directChat, storedMessages, TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let alice: TestDevice;
let bruno: TestDevice;
beforeEach(async () => {
  t = await startTestApp();
  alice = await deviceFor(t, 'alice@contoso.test');
  bruno = await deviceFor(t, 'bruno@contoso.test');
});
afterEach(async () => {
  await t.close();
});

describe('push: exactly once', () => {
  it('stores a message once when the same push is retried, and answers identically', async () => {
    const chatId = await directChat(alice, bruno);
    const send = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'hi' });
    const first = await alice.push([send]);
    const retry = await alice.push([send]);
    expect(first.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(first.body?.results).toEqual([
      { id: send.id, seq: send.seq, status: 'applied', chatSeq: 1 }
    ]);
    expect(await storedMessages(t, chatId)).toHaveLength(1);
  });

  it('stores a message once when two tabs push the same mutations at the same time', async () => {
    const chatId = await directChat(alice, bruno);
    const batch = [1, 2, 3].map((n) =>
      alice.mutation('message.send', { chatId, messageId: randomUUID(), body: `m${n}` })
    );
    const [tab1, tab2] = await Promise.all([alice.push(batch), alice.push(batch)]);
    expect(tab1.status).toBe(200);
    expect(tab2.body).toEqual(tab1.body);
    expect((await storedMessages(t, chatId)).map((m) => m.body)).toEqual(['m1', 'm2', 'm3']);
  });

  it('answers a crash after commit (push again with more behind) from the record', async () => {
    const chatId = await directChat(alice, bruno);
    const sent = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'one' });
    const [answer] = await alice.apply(sent); // the device "crashes" before storing this answer
    const next = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'two' });
    const results = await alice.apply(sent, next);
    expect(results[0]).toEqual(answer);
    expect(results[1]).toMatchObject({ status: 'applied', chatSeq: 2 });
    expect((await storedMessages(t, chatId)).map((m) => m.body)).toEqual(['one', 'two']);
  });

  it('answers a mutation repeated within one push identically', async () => {
    const chatId = await directChat(alice, bruno);
    const send = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'once' });
    const [first, again] = await alice.apply(send, send);
    expect(again).toEqual(first);
    expect(await storedMessages(t, chatId)).toHaveLength(1);
  });

  it('refuses a gap in the sequence for the rest of the batch, recording nothing', async () => {
    const chatId = await directChat(alice, bruno); // seq 1
    const two = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'two' });
    const three = alice.mutation('message.send', {
      chatId,
      messageId: randomUUID(),
      body: 'three'
    });
    const four = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'four' });
    const gapped = await alice.apply(three, four);
    expect(gapped.map((r) => r.status === 'rejected' && r.code)).toEqual([
      'sequence_gap',
      'sequence_gap'
    ]);
    expect(await storedMessages(t, chatId)).toHaveLength(0);

    const filled = await alice.apply(two, three, four);
    expect(filled.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    expect((await storedMessages(t, chatId)).map((m) => m.body)).toEqual(['two', 'three', 'four']);
  });

  it('refuses another mutation under a sequence number already used', async () => {
    const chatId = await directChat(alice, bruno);
    const original = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'a' });
    await alice.apply(original);
    const impostor = { ...original, id: randomUUID() };
    const [result] = await alice.apply(impostor);
    expect(result).toMatchObject({ status: 'rejected', code: 'sequence_conflict' });
    expect(await storedMessages(t, chatId)).toHaveLength(1);
  });

  it('records a rejection as final: the sequence advances and the mutations behind go on', async () => {
    const chatId = await directChat(alice, bruno);
    const empty = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: '  ' });
    const fine = alice.mutation('message.send', { chatId, messageId: randomUUID(), body: 'ok' });
    const results = await alice.apply(empty, fine);
    expect(results).toEqual([
      {
        id: empty.id,
        seq: empty.seq,
        status: 'rejected',
        code: 'message_empty',
        message: expect.any(String)
      },
      { id: fine.id, seq: fine.seq, status: 'applied', chatSeq: 1 }
    ]);
    // Pushed again: the same refusal, not a second judgement.
    expect(await alice.apply(empty, fine)).toEqual(results);
    const [device] = await t.store.db
      .select()
      .from(tables.devices)
      .where(eq(tables.devices.id, alice.id));
    expect(device?.lastAppliedSeq).toBe(fine.seq);
  });

  it('loses nothing when two devices of one person push concurrently into one chat', async () => {
    const chatId = await directChat(alice, bruno);
    const laptop = alice;
    const phone = new TestDevice(t.browser(), alice.userId);
    await phone.browser.signIn(t, 'alice@contoso.test');
    const rounds = 5;
    const perPush = 4;
    const pushes = (device: TestDevice, label: string) =>
      Array.from({ length: rounds }, (_, round) =>
        Array.from({ length: perPush }, (_, i) =>
          device.mutation('message.send', {
            chatId,
            messageId: randomUUID(),
            body: `${label}-${round * perPush + i}`
          })
        )
      );
    const run = async (device: TestDevice, batches: ReturnType<typeof pushes>) => {
      const results = [];
      for (const batch of batches) results.push(...(await device.apply(...batch)));
      return results;
    };
    const [fromLaptop, fromPhone] = await Promise.all([
      run(laptop, pushes(laptop, 'laptop')),
      run(phone, pushes(phone, 'phone'))
    ]);
    const all = [...fromLaptop, ...fromPhone];
    expect(all.every((r) => r.status === 'applied')).toBe(true);

    const stored = await storedMessages(t, chatId);
    expect(stored).toHaveLength(2 * rounds * perPush);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
    // Each device's own messages keep their order.
    for (const label of ['laptop', 'phone']) {
      const mine = stored.filter((m) => m.body.startsWith(label)).map((m) => m.body);
      expect(mine).toEqual(Array.from({ length: rounds * perPush }, (_, i) => `${label}-${i}`));
    }
    const chatSeqs = all.map((r) => (r.status === 'applied' ? r.chatSeq : 0));
    expect(new Set(chatSeqs).size).toBe(all.length);

    const seen = (await bruno.pullAll()).filter((c) => c.type === 'message');
    expect(seen).toHaveLength(stored.length);
  });

  it('binds a device id to the first person who pushes with it', async () => {
    const chatId = await directChat(alice, bruno);
    const stolen = new TestDevice(bruno.browser, bruno.userId, alice.id);
    const response = await stolen.push([
      stolen.mutation('message.send', { chatId, messageId: randomUUID(), body: 'x' })
    ]);
    expect(response.status).toBe(409);
    expect(response.body?.error.code).toBe('device_taken');
  });

  it('refuses a malformed push as a whole with 400, and a signed-out one with 401', async () => {
    const bad = await alice.browser.post('/api/sync/push', {
      deviceId: alice.id,
      mutations: [{ id: 'x', seq: 0, at: 'yesterday', type: 'message.send', args: {} }]
    });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.code).toBe('invalid_request');
    const signedOut = await t
      .browser()
      .post('/api/sync/push', { deviceId: alice.id, mutations: [] });
    expect(signedOut.status).toBe(401);
  });
});

describe('messages', () => {
  it('keeps up to 4,000 characters (emoji count as one), trimmed, and refuses more', async () => {
    const chatId = await directChat(alice, bruno);
    const emoji = '😀'.repeat(4000);
    expect(await alice.send(chatId, `  ${emoji}\n`)).toMatchObject({ status: 'applied' });
    expect(await alice.send(chatId, 'x'.repeat(4001))).toMatchObject({
      status: 'rejected',
      code: 'message_too_long'
    });
    const stored = await storedMessages(t, chatId);
    expect(stored.map((m) => m.body)).toEqual([emoji]);
  });

  it('refuses a message id that is already used', async () => {
    const chatId = await directChat(alice, bruno);
    const messageId = randomUUID();
    await alice.send(chatId, 'first', messageId);
    expect(await bruno.send(chatId, 'second', messageId)).toMatchObject({
      status: 'rejected',
      code: 'duplicate_id'
    });
  });

  it('orders messages by a per-chat sequence, whoever sends them', async () => {
    const chatId = await directChat(alice, bruno);
    await alice.send(chatId, 'a1');
    await bruno.send(chatId, 'b1');
    await alice.send(chatId, 'a2');
    expect((await storedMessages(t, chatId)).map((m) => [m.seq, m.body])).toEqual([
      [1, 'a1'],
      [2, 'b1'],
      [3, 'a2']
    ]);
  });
});
