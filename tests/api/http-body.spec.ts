import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { serveLive, type LiveServer } from '../support/live.ts';

let t: TestApp;
let live: LiveServer;
let cookie: string;
beforeEach(async () => {
  t = await startTestApp();
  live = await serveLive(t.services);
  const browser = t.browser();
  await browser.signIn(t, 'alice@contoso.test');
  cookie = browser.sessionCookie ?? '';
});
afterEach(async () => {
  await live.close();
  await t.close();
});

const post = (path: string, body: string) =>
  fetch(`${live.origin}${path}`, {
    method: 'POST',
    headers: { origin: live.origin, 'content-type': 'application/json', cookie },
    body
  });

describe('request bodies over a real connection', () => {
  it('reads a JSON body', async () => {
    const response = await post(
      '/api/sync/push',
      JSON.stringify({ deviceId: randomUUID(), mutations: [] })
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [] });
  });

  it('refuses a body over the limit with 413, and takes larger pushes than other requests', async () => {
    const padding = 'x'.repeat(300 * 1024);
    const code = await post('/api/auth/code', JSON.stringify({ address: padding }));
    expect(code.status).toBe(413);
    expect(await code.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const push = await post(
      '/api/sync/push',
      JSON.stringify({ deviceId: randomUUID(), mutations: [], padding })
    );
    expect(push.status).toBe(200);
    const huge = await post('/api/sync/push', 'x'.repeat(5 * 1024 * 1024));
    expect(huge.status).toBe(413);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await post('/api/sync/push', '{"deviceId":');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });
});
