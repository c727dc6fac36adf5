import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addOrganization, startExternal } from '../../../tests/support/external.ts';
import { startTestApp, type TestApp } from '../../../tests/support/harness.ts';
import { deviceFor, type TestDevice } from '../../../tests/support/sync.ts';
import { tables } from '../../store/index.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
  await addOrganization(t, {
    name: 'Fabrikam',
    domain: 'fabrikam.test',
    people: [{ name: 'Frank Miller', email: 'frank@fabrikam.test' }]
  });
});
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
});
