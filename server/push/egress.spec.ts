import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { egressRule, endpointProblem, guardedLookup, isPublicAddress } from './egress.ts';
import { sendPush } from './send.ts';

const production = egressRule('production');
const test = egressRule('test');

describe('the push egress guard', () => {
  it('calls only public addresses', () => {
    for (const address of ['8.8.8.8', '142.250.74.78', '2a00:1450:4007:80e::200a']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
      '2002:0a00:0001::1',
      '2001:db8::1',
      'not an address'
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('accepts https endpoints, and loopback http only outside production', () => {
    expect(endpointProblem('https://fcm.googleapis.com/fcm/send/abc', production)).toBeNull();
    expect(endpointProblem('http://127.0.0.1:4000/push/1', test)).toBeNull();
    expect(endpointProblem('http://localhost:4000/push/1', test)).toBeNull();
    for (const endpoint of [
      'http://127.0.0.1:4000/push/1',
      'http://push.example.com/1',
      'https://127.0.0.1/push',
      'https://[::1]/push',
      'https://10.0.0.8/push',
      'https://localhost/push',
      'https://user:secret@push.example.com/1',
      'javascript:alert(1)',
      `https://push.example.com/${'a'.repeat(2100)}`
    ]) {
      expect(endpointProblem(endpoint, production), endpoint).not.toBeNull();
    }
    expect(endpointProblem('http://10.0.0.8/push', test)).not.toBeNull();
  });

  it('refuses a name that resolves to a private address when connecting', async () => {
    const lookup = guardedLookup(production);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (failure) => resolve(failure))
    );
    expect(error?.code).toBe('EPUSHEGRESS');
  });
});

describe('sending one push', () => {
  let server: http.Server;
  let origin = '';
  const answers: number[] = [];
  const seen: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      const status = answers.shift() ?? 201;
      response.writeHead(status, status === 302 ? { location: 'http://10.0.0.1/' } : {}).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const vapid = { subject: 'mailto:push@parley.test', ...webpush.generateVAPIDKeys() };
  const keys = (() => {
    const { publicKey } = webpush.generateVAPIDKeys();
    return { p256dh: publicKey, auth: Buffer.alloc(16, 7).toString('base64url') };
  })();
  const options = { ttl: 60, urgency: 'high' as const, topic: 'chat1' };
  const send = (rule = test) =>
    sendPush({ endpoint: `${origin}/push/1`, ...keys }, '{}', options, vapid, rule);

  it('reads the push service’s answer and never follows a redirect', async () => {
    answers.push(201, 410, 404, 429, 500, 400, 302);
    expect(await send()).toEqual({ kind: 'delivered' });
    expect(seen.at(-1)).toMatchObject({ ttl: '60', urgency: 'high', topic: 'chat1' });
    expect((await send()).kind).toBe('gone');
    expect((await send()).kind).toBe('gone');
    expect((await send()).kind).toBe('retry');
    expect((await send()).kind).toBe('retry');
    expect((await send()).kind).toBe('refused');
    const before = seen.length;
    expect((await send()).kind).toBe('refused');
    expect(seen.length).toBe(before + 1);
  });

  it('does not call a loopback endpoint in production', async () => {
    const before = seen.length;
    expect((await send(production)).kind).toBe('refused');
    expect(seen.length).toBe(before);
  });
});
