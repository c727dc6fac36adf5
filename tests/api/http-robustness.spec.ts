// No input crashes the server: arbitrary JSON and arbitrary bytes at every documented route get
// a 4xx answer in the error shape, never a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startTestApp, type TestApp } from '../support/harness.ts';

let t: TestApp;
let routes: { method: string; path: string }[];
let cookie: string;

beforeAll(async () => {
  t = await startTestApp();
  const browser = t.browser();
  await browser.signIn(t, 'alice@contoso.test');
  cookie = browser.sessionCookie ?? '';
  const doc = (await (await t.app.request(`${ORIGIN}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(doc.paths)
    // Signing out takes no input, and would end the session the other routes are probed with.
    .filter(([path]) => !path.startsWith('/auth/sign-out'))
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase(),
        // Path parameters get a guess that matches nothing.
        path: `/api${path}`.replace(/\{\w+\}/g, 'guessed-id')
      }))
    );
});
afterAll(async () => {
  await t.close();
});

async function send(method: string, path: string, body: string | undefined) {
  const response = await t.app.request(`${ORIGIN}${path}`, {
    method,
    headers: { origin: ORIGIN, 'content-type': 'application/json', cookie },
    ...(body !== undefined && method !== 'GET' && { body })
  });
  const text = await response.text();
  return { status: response.status, text };
}

describe('robustness', () => {
  it('answers arbitrary JSON bodies on every route without a server error', async () => {
    expect(routes.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue({ maxDepth: 3 }),
        async (route, value) => {
          const { status, text } = await send(route.method, route.path, JSON.stringify(value));
          expect(status).toBeLessThan(500);
          if (status >= 400) expect(JSON.parse(text)).toHaveProperty('error.code');
        }
      ),
      { numRuns: 150 }
    );
  });

  it('answers arbitrary bytes in bodies and query strings without a server error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ maxLength: 200, unit: 'binary' }),
        async (route, junk) => {
          const query = `?cursor=${encodeURIComponent(junk)}&limit=${encodeURIComponent(junk)}`;
          const { status } = await send(route.method, `${route.path}${query}`, junk);
          expect(status).toBeLessThan(500);
        }
      ),
      { numRuns: 150 }
    );
  });
});
