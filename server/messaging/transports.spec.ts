// Real protocol peers on loopback: an SMTP server (smtp-server) and an HTTP server speaking the
// SMS provider's Messages API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ORIGIN, openTestStore } from '../../tests/support/harness.ts';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { seedDemo } from '../seed.ts';
import { composeServices } from '../services.ts';
import { Notifier, notifierFromConfig } from './notifier.ts';
import { tables } from '../store/index.ts';
import { httpSmsTransport, smtpTransport } from './transports.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function startSmtp() {
  const received: { from: string; to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw
        });
        callback();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `smtp://127.0.0.1:${port}`, received };
}

async function startSmsProvider(status = 201) {
  const requests: {
    path: string;
    authorization: string | undefined;
    idempotencyKey: string | undefined;
    form: URLSearchParams;
  }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({
        path: req.url ?? '',
        authorization: req.headers.authorization,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        form: new URLSearchParams(body)
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          status < 300 ? { sid: 'SM1', status: 'queued' } : { code: 21211, message: 'Invalid To' }
        )
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${port}`, requests };
}

describe('email over SMTP', () => {
  it('delivers a message to a real SMTP server', async () => {
    const smtp = await startSmtp();
    const transport = smtpTransport({ smtpUrl: smtp.url, from: 'Parley <no-reply@parley.test>' });
    cleanups.push(() => transport.close?.());
    await transport.send(
      {
        channel: 'email',
        to: 'bob@example.org',
        subject: '123456 is your Parley code',
        text: 'Your code is 123456.'
      },
      'b7c1f6a2-0000-4000-8000-000000000001'
    );
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({
      from: 'no-reply@parley.test',
      to: ['bob@example.org']
    });
    expect(smtp.received[0]?.raw).toContain('Subject: 123456 is your Parley code');
    expect(smtp.received[0]?.raw).toContain('Your code is 123456.');
    // The queue's id, the same on every try: a repeat after a lost lease is recognisable.
    expect(smtp.received[0]?.raw).toMatch(
      /^Message-ID: <b7c1f6a2-0000-4000-8000-000000000001@parley\.test>\r?$/m
    );
  });
});

describe('SMS over the provider API', () => {
  it('posts To/From/Body with basic auth to the Messages endpoint', async () => {
    const provider = await startSmsProvider();
    const transport = httpSmsTransport({
      apiUrl: provider.url,
      accountSid: 'AC42',
      authToken: 's3cret',
      from: '+15005550006'
    });
    await transport.send(
      { channel: 'sms', to: '+33612345678', text: '123456 is your Parley code.' },
      'b7c1f6a2-0000-4000-8000-000000000002'
    );
    expect(provider.requests).toHaveLength(1);
    const request = provider.requests[0]!;
    expect(request.path).toBe('/2010-04-01/Accounts/AC42/Messages.json');
    expect(request.authorization).toBe(`Basic ${Buffer.from('AC42:s3cret').toString('base64')}`);
    expect(request.idempotencyKey).toBe('b7c1f6a2-0000-4000-8000-000000000002');
    expect(Object.fromEntries(request.form)).toEqual({
      To: '+33612345678',
      From: '+15005550006',
      Body: '123456 is your Parley code.'
    });
  });

  it('retries a failing provider, then gives up, records it and reports it', async () => {
    const provider = await startSmsProvider(500);
    const { store, dispose } = await openTestStore();
    cleanups.push(dispose);
    const givenUp: unknown[] = [];
    const notifier = new Notifier(store, {
      email: { name: 'unused', send: () => Promise.reject(new Error('unused')) },
      sms: httpSmsTransport({
        apiUrl: provider.url,
        accountSid: 'AC42',
        authToken: 't',
        from: '+15005550006'
      }),
      maxAttempts: 3,
      retryBaseMs: 1,
      onGiveUp: (_message, error) => givenUp.push(error)
    });
    await store.tx((tx) =>
      notifier.enqueue(tx, { channel: 'sms', to: '+33612345678', text: 'hi' })
    );
    await notifier.idle();
    expect(provider.requests).toHaveLength(3);
    // Every try carried the same idempotency key.
    expect(new Set(provider.requests.map((r) => r.idempotencyKey)).size).toBe(1);
    expect(String(givenUp[0])).toContain('500');
    const [row] = await store.db.select().from(tables.outgoingMessages);
    expect(row).toMatchObject({ attempts: 3, claim: null, recipient: '+33612345678' });
    expect(row?.failedAt).toBeInstanceOf(Date);
    expect(row?.lastError).toContain('500');
  });
});

describe('sign-in through real providers', () => {
  it('emails a sign-in code over SMTP and texts one through the SMS API, both of which sign in', async () => {
    const smtp = await startSmtp();
    const provider = await startSmsProvider();
    const { store, dispose } = await openTestStore();
    cleanups.push(dispose);
    const config = loadConfig({
      NODE_ENV: 'test',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Parley <no-reply@parley.test>',
      SMS_API_URL: provider.url,
      SMS_ACCOUNT_SID: 'AC42',
      SMS_AUTH_TOKEN: 't',
      SMS_FROM: '+15005550006'
    });
    const notifier = notifierFromConfig(config, store);
    cleanups.push(() => notifier.close());
    await seedDemo(store);
    const app = createApp(
      composeServices({
        config,
        store,
        notifier,
        secretKey: randomBytes(32),
        now: () => new Date()
      })
    );
    const post = (path: string, body: object) =>
      app.request(`${ORIGIN}${path}`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        body: JSON.stringify(body)
      });

    expect((await post('/api/auth/code', { address: 'bruno@contoso.test' })).status).toBe(202);
    // A GB mobile: Guernsey's +44 7911 is not on the default SMS countries.
    expect((await post('/api/auth/code', { address: '+44 7400 123 456' })).status).toBe(202);
    await notifier.idle();

    const emailed = smtp.received[0]?.raw.match(/Parley sign-in code is (\d{6})/)?.[1];
    const texted = provider.requests[0]?.form.get('Body')?.match(/^(\d{6})/)?.[1];
    expect(smtp.received[0]?.to).toEqual(['bruno@contoso.test']);
    expect(provider.requests[0]?.form.get('To')).toBe('+447400123456');
    const byEmail = await post('/api/auth/verify', {
      address: 'bruno@contoso.test',
      code: emailed
    });
    expect(await byEmail.json()).toMatchObject({
      status: 'signed_in',
      user: { name: 'Bruno Petit' }
    });
    const byPhone = await post('/api/auth/verify', {
      address: '+447400123456',
      code: texted,
      name: 'Ada'
    });
    expect(await byPhone.json()).toMatchObject({
      status: 'signed_in',
      user: { phone: '+447400123456' }
    });
  });
});
