import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptedRequest, startExternal } from '../support/external.ts';
import { addFabrikam, FRANK } from '../support/builders.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { deviceFor, type TestDevice } from '../support/sync.ts';
import { tables } from '../../server/store/index.ts';

let t: TestApp;
let frankId: string;
beforeEach(async () => {
  t = await startTestApp();
  await addFabrikam(t, [FRANK]);
  const [frank] = await t.store.db
    .update(tables.users)
    .set({ phone: '+33698765432' })
    .where(eq(tables.users.email, 'frank@fabrikam.test'))
    .returning({ id: tables.users.id });
  frankId = frank?.id ?? '';
});

/** Messages stored in `chatIds` by `authorId`. */
async function storedBy(authorId: string, chatIds: string[]) {
  const rows = await t.store.db
    .select({ chatId: tables.messages.chatId })
    .from(tables.messages)
    .where(and(eq(tables.messages.authorId, authorId), inArray(tables.messages.chatId, chatIds)));
  return rows.length;
}
afterEach(async () => {
  await t.close();
});

describe('the pre-acceptance cap under races', () => {
  it('stores exactly 10 when 50 sends race from 3 devices (and a second tab each) after 9', async () => {
    const devices: TestDevice[] = [];
    for (let i = 0; i < 3; i++) devices.push(await deviceFor(t, 'alice@contoso.test'));
    const [first] = devices as [TestDevice, ...TestDevice[]];
    const { chatId, result } = await startExternal(first, 'frank@fabrikam.test');
    expect(result.status).toBe('applied');
    for (let i = 0; i < 9; i++) {
      expect(await first.send(chatId, `before ${i}`)).toMatchObject({ status: 'applied' });
    }

    // 17 + 17 + 16 queued sends, each device's batch pushed by two tabs at once.
    const batches = devices.map((device, d) =>
      Array.from({ length: d < 2 ? 17 : 16 }, (_, i) =>
        device.mutation('message.send', { chatId, messageId: randomUUID(), body: `race ${d}.${i}` })
      )
    );
    const responses = await Promise.all(
      devices.flatMap((device, d) => [device.push(batches[d] ?? []), device.push(batches[d] ?? [])])
    );
    for (const response of responses) expect(response.status).toBe(200);
    // Both tabs of a device got the same answers.
    for (let d = 0; d < 3; d++) {
      expect(responses[2 * d + 1]?.body).toEqual(responses[2 * d]?.body);
    }
    const results = responses
      .filter((_, i) => i % 2 === 0)
      .flatMap((response) => response.body?.results as { status: string; code?: string }[]);
    expect(results).toHaveLength(50);
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(49);
    expect(new Set(rejected.map((r) => r.code))).toEqual(new Set(['cap_reached']));

    const stored = await t.store.db
      .select({ seq: tables.messages.seq })
      .from(tables.messages)
      .where(eq(tables.messages.chatId, chatId));
    expect(stored.map((m) => Number(m.seq)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1)
    );
  });

  it('stores 10 in all when three requests to one person (email, phone, group) race', async () => {
    const alice = await deviceFor(t, 'alice@contoso.test');
    const bruno = await deviceFor(t, 'bruno@contoso.test');
    const frank = await deviceFor(t, 'frank@fabrikam.test');
    const byEmail = await startExternal(alice, 'frank@fabrikam.test');
    const byPhone = await startExternal(alice, '+33 6 98 76 54 32');
    expect([byEmail.result.status, byPhone.result.status]).toEqual(['applied', 'applied']);
    // Alice's group, where Bruno (whom Frank accepted) brings Frank: Frank never accepted Alice.
    await acceptedRequest(bruno, frank, 'frank@fabrikam.test');
    const group = randomUUID();
    expect(
      await alice.do('chat.createGroup', {
        chatId: group,
        name: 'Launch',
        memberIds: [bruno.userId]
      })
    ).toMatchObject({ status: 'applied' });
    expect(await bruno.do('chat.addMembers', { chatId: group, userIds: [frankId] })).toMatchObject({
      status: 'applied'
    });
    expect(await alice.send(group, 'hello everyone')).toMatchObject({ status: 'applied' });

    // Three devices, one chat each, ten sends each, all at once.
    const chatIds = [byEmail.chatId, byPhone.chatId, group];
    const devices = [
      alice,
      await deviceFor(t, 'alice@contoso.test'),
      await deviceFor(t, 'alice@contoso.test')
    ];
    const responses = await Promise.all(
      devices.map((device, d) =>
        device.push(
          Array.from({ length: 10 }, (_, i) =>
            device.mutation('message.send', {
              chatId: chatIds[d] ?? '',
              messageId: randomUUID(),
              body: `race ${d}.${i}`
            })
          )
        )
      )
    );
    const results = responses.flatMap((response) => {
      expect(response.status).toBe(200);
      return response.body?.results as { status: string; code?: string }[];
    });
    expect(results.filter((r) => r.status === 'applied')).toHaveLength(9);
    expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => r.code))).toEqual(
      new Set(['cap_reached'])
    );
    expect(await storedBy(alice.userId, chatIds)).toBe(10);
    // Bruno, who is Frank's accepted contact, still writes in the group; Alice no longer does.
    expect(await bruno.send(group, 'still here')).toMatchObject({ status: 'applied' });
    expect(await alice.send(byEmail.chatId, 'one more')).toMatchObject({
      status: 'rejected',
      code: 'cap_reached'
    });
  });

  it("counts an address's places together, and toward the person once they join", async () => {
    const alice = await deviceFor(t, 'alice@contoso.test');
    const first = await startExternal(alice, 'sam@example.org');
    for (let i = 0; i < 6; i++) {
      expect(await alice.send(first.chatId, `first ${i}`)).toMatchObject({ status: 'applied' });
    }
    const second = await startExternal(alice, 'sam@example.org');
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push((await alice.send(second.chatId, `second ${i}`)).status);
    expect(answers).toEqual(['applied', 'applied', 'applied', 'applied', 'rejected']);

    await t.services.notifier.idle();
    const link = t.email.sent.find((m) => m.to === 'sam@example.org')?.text ?? '';
    const token = /\/join#token=([\w-]+)/.exec(link)?.[1];
    const joined = await t.browser().post('/api/invitations/accept', { token, name: 'Sam Roe' });
    expect(joined.status).toBe(200);
    // Sam is now a person: the ten places Alice used at the address are his.
    expect(await alice.send(first.chatId, 'welcome')).toMatchObject({
      status: 'rejected',
      code: 'cap_reached'
    });
  });
});
