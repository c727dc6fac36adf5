import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminApi } from './admin';
import { api, ApiError, NetworkError, request } from './client';

type Sent = { url: string; method: string; headers: Headers; body: unknown };

let sent: Sent[];
let reply: () => Response | Promise<Response>;

beforeEach(() => {
  sent = [];
  reply = () => Response.json({});
  vi.stubGlobal('fetch', (input: string, init: RequestInit) => {
    sent.push({
      url: input,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: init.body
    });
    return Promise.resolve(reply());
  });
});

afterEach(() => vi.unstubAllGlobals());

describe('the typed client on the wire', () => {
  it('sends JSON, same-origin, with a body even when the call has none', async () => {
    reply = () => new Response(null, { status: 204 });
    await expect(api.signOut()).resolves.toBeUndefined();
    await adminApi('org/1').removeMember('u 1');
    expect(sent.map(({ url, method, body }) => ({ url, method, body }))).toEqual([
      { url: '/api/auth/sign-out', method: 'POST', body: '{}' },
      { url: '/api/admin/organizations/org%2F1/members/u%201', method: 'DELETE', body: '{}' }
    ]);
    for (const { headers } of sent) {
      expect(headers.get('Content-Type')).toBe('application/json');
      expect(headers.get('Accept')).toBe('application/json');
    }
  });

  it('sends a GET without a body or content type, and the query only when there is one', async () => {
    reply = () => Response.json({ members: [] });
    await adminApi('o1').members('  ');
    await adminApi('o1').members(' dana f ');
    expect(sent.map(({ url, method, body }) => ({ url, method, body }))).toEqual([
      { url: '/api/admin/organizations/o1/members', method: 'GET', body: undefined },
      { url: '/api/admin/organizations/o1/members?q=dana+f', method: 'GET', body: undefined }
    ]);
    expect(sent[0]?.headers.get('Content-Type')).toBeNull();
  });

  it('sends the audit filters as the CSV link does', async () => {
    reply = () => Response.json({ events: [], hasMore: false });
    const filter = { type: 'settings.changed', person: '', from: '', to: '2026-06-01' } as const;
    await adminApi('o1').audit(filter, 'ev 9');
    expect(sent[0]?.url).toBe(
      '/api/admin/organizations/o1/audit?type=settings.changed&to=2026-06-01&before=ev+9'
    );
  });

  it('answers with the JSON body, and sends the browser region with an address', async () => {
    vi.stubGlobal('navigator', { languages: ['fr-FR'], language: 'fr-FR' });
    reply = () => Response.json({ status: 'sent', expiresInSeconds: 600 }, { status: 202 });
    await expect(api.requestCode('a@example.org')).resolves.toEqual({
      status: 'sent',
      expiresInSeconds: 600
    });
    expect(JSON.parse(sent[0]?.body as string)).toEqual({ address: 'a@example.org', region: 'FR' });
  });

  it('throws the stable error code and message, with Retry-After on a 429', async () => {
    reply = () =>
      Response.json(
        { error: { code: 'rate_limited', message: 'Slow down.', details: { n: 1 } } },
        { status: 429, headers: { 'Retry-After': '30' } }
      );
    const error = await api.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      message: 'Slow down.',
      details: { n: 1 },
      retryAfterSeconds: 30
    });
  });

  it('keeps the status of an answer that is not an error body', async () => {
    reply = () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' });
    await expect(request('GET', '/api/sync/bootstrap')).rejects.toMatchObject({
      status: 502,
      code: 'http_error',
      message: 'Bad Gateway'
    });
  });

  it('tells no answer at all apart', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = await api.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ message: 'Failed to fetch', timedOut: false });
  });
});
