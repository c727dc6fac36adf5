import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, startTestApp, type TestApp } from '../support/harness.ts';
import { createApp } from '../../server/app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const post = (init: RequestInit & { headers: Record<string, string> }) =>
  t.app.request(`${ORIGIN}/api/auth/code`, { method: 'POST', ...init });

describe('CSRF protection', () => {
  const body = JSON.stringify({ address: 'alice@contoso.test' });

  it('refuses a state-changing request from another origin', async () => {
    const response = await post({
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'cross_site_request' } });
  });

  it('refuses a cross-site fetch even without an Origin header', async () => {
    const response = await post({
      headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      body
    });
    expect(response.status).toBe(403);
  });

  it.each([
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    ''
  ])('refuses the content type %j that a form or simple request can send', async (contentType) => {
    const response = await post({
      headers: { origin: ORIGIN, ...(contentType && { 'content-type': contentType }) },
      body
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_content_type' } });
    await t.services.notifier.idle();
    expect(t.email.sent).toHaveLength(0);
  });

  it('accepts a same-origin JSON request', async () => {
    const response = await post({
      headers: {
        origin: ORIGIN,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json; charset=utf-8'
      },
      body
    });
    expect(response.status).toBe(202);
  });
});

describe('errors', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await post({
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: '{"address":'
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_json', message: expect.any(String) }
    });
  });

  it.each([
    ['a wrong type', { address: 42 }],
    ['a missing field', {}],
    ['an array', [1, 2]],
    ['null', null],
    ['a non-digit code', { address: 'alice@contoso.test', code: '12ab56' }]
  ])('answers %s with 400 invalid_request naming the field', async (_label, payload) => {
    const url = 'code' in (payload ?? {}) ? '/api/auth/verify' : '/api/auth/code';
    const response = await t.app.request(`${ORIGIN}${url}`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify(payload)
    });
    expect(response.status).toBe(400);
    const json = (await response.json()) as { error: { code: string; message: string } };
    expect(json.error.code).toBe('invalid_request');
    expect(json.error.message.length).toBeGreaterThan(10);
  });

  it('refuses a body over 256 KB with 413', async () => {
    const response = await post({
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ address: 'x'.repeat(300 * 1024) })
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('answers an unknown /api route with JSON 404', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await t.app.request(`${ORIGIN}/api/no/such/route`, {
        method,
        headers: { origin: ORIGIN, 'content-type': 'application/json' }
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('distinguishes 401 (signed out) from 403 (not allowed)', async () => {
    const browser = t.browser();
    expect((await browser.patch('/api/me', { region: 'US' })).status).toBe(401);
    await browser.signIn(t, 'bruno@contoso.test');
    expect((await browser.patch('/api/me', { region: 'US' })).status).toBe(403);
  });
});

describe('health and API description', () => {
  it('reports the storage engine and version', async () => {
    const response = await t.browser().get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ok: true,
      db: process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/)
    });
  });

  it('describes every API route in the OpenAPI document', async () => {
    const doc = (await t.browser().get('/api/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} /api${p.replace(/\/$/, '')}`)
    );
    // Every route Hono actually serves under /api (but the document itself) must be documented.
    const served = t.app.routes
      .filter(
        (r) => r.path.startsWith('/api/') && r.method !== 'ALL' && !r.path.endsWith('/openapi.json')
      )
      .map((r) => `${r.method} ${r.path.replace(/\/$/, '').replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThanOrEqual(6);
    expect(new Set(documented)).toEqual(new Set(served));
  });
});

describe('serving the client', () => {
  it('serves built files and falls back to the app shell for client routes, not for /api', async () => {
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-client-'));
    fs.writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>shell</title>');
    fs.mkdirSync(path.join(clientDir, '_app/immutable'), { recursive: true });
    fs.writeFileSync(path.join(clientDir, '_app/immutable/app.js'), 'export {}');
    const app = createApp(t.services, { clientDir });
    try {
      const deep = await app.request(`${ORIGIN}/profile`);
      expect(deep.status).toBe(200);
      expect(await deep.text()).toContain('<title>shell</title>');
      const asset = await app.request(`${ORIGIN}/_app/immutable/app.js`);
      expect(asset.headers.get('cache-control')).toContain('immutable');
      const api = await app.request(`${ORIGIN}/api/unknown`);
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toContain('application/json');
    } finally {
      fs.rmSync(clientDir, { recursive: true, force: true });
    }
  });

  it('offers the development outbox outside production only', async () => {
    const outbox = await t.app.request(`${ORIGIN}/dev/outbox`);
    expect(outbox.status).toBe(200);
    const prod = createApp({ ...t.services, config: { ...t.services.config, env: 'production' } });
    expect((await prod.request(`${ORIGIN}/dev/outbox`)).status).toBe(404);
  });
});

describe('content security policy', () => {
  const bootstrap = '\n\t\t\t{\n\t\t\t\t__sveltekit_x = { base: "" };\n\t\t\t}\n\t\t';
  const hash = `'sha256-${createHash('sha256').update(bootstrap).digest('base64')}'`;

  function withClient<T>(run: (app: ReturnType<typeof createApp>) => Promise<T>): Promise<T> {
    const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-client-'));
    fs.writeFileSync(
      path.join(clientDir, 'index.html'),
      `<!doctype html><script type="module" src="/_app/x.js"></script><body><script>${bootstrap}</script></body>`
    );
    fs.copyFileSync(
      path.join(import.meta.dirname, '../../static/robots.txt'),
      path.join(clientDir, 'robots.txt')
    );
    return run(createApp(t.services, { clientDir })).finally(() =>
      fs.rmSync(clientDir, { recursive: true, force: true })
    );
  }

  const directives = (response: Response) =>
    new Map(
      (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name = '', ...sources]) => [name, sources])
    );

  it('allows no inline script, plugin, base or framing, and sockets only to this server', async () => {
    const csp = directives(await t.app.request(`${ORIGIN}/api/health`));
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'self'", 'ws://localhost:3000']);
  });

  it('allows the app shell’s inline bootstrap by its hash, on every path that serves it', async () => {
    await withClient(async (app) => {
      for (const url of ['/', '/index.html', '/chats/abc']) {
        const response = await app.request(`${ORIGIN}${url}`);
        expect(response.status).toBe(200);
        const scripts = directives(response).get('script-src');
        expect(scripts).toEqual(["'self'", hash]);
        expect(scripts).not.toContain("'unsafe-inline'");
      }
    });
  });

  it('names the host a page was reached at only when it is a plain host', async () => {
    const lan = directives(await t.app.request('http://192.168.1.20:3000/api/health'));
    expect(lan.get('connect-src')).toEqual([
      "'self'",
      'ws://localhost:3000',
      'ws://192.168.1.20:3000'
    ]);
    const response = await t.app.request(`${ORIGIN}/api/health`, {
      headers: { host: "evil.example; script-src 'unsafe-inline'" }
    });
    expect(directives(response).get('script-src')).toEqual(["'self'"]);
    expect(response.headers.get('content-security-policy')).not.toContain('evil');
  });

  it('answers /robots.txt with the robots file, and a missing file with 404, not the app', async () => {
    await withClient(async (app) => {
      const robots = await app.request(`${ORIGIN}/robots.txt`);
      expect(robots.status).toBe(200);
      expect(robots.headers.get('content-type')).toContain('text/plain');
      const text = await robots.text();
      expect(text).toMatch(/^User-agent: \*$/m);
      expect(text).toMatch(/^Disallow: \/$/m);
      const missing = await app.request(`${ORIGIN}/favicon.ico`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).not.toContain('<script');
    });
  });
});
