// Test harness: a real store (SQLite in a temp dir, or a fresh PostgreSQL database when
// TEST_DATABASE_URL is set), the app in-process, a recording mail/SMS transport, a movable clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createSession } from '../../server/domain/sessions.ts';
import { SESSION_COOKIE } from '../../server/http/guards.ts';
import webpush from 'web-push';
import { Notifier } from '../../server/messaging/notifier.ts';
import { egressRule } from '../../server/push/egress.ts';
import { PushFanout } from '../../server/push/fanout.ts';
import { pushTransport } from '../../server/push/transport.ts';
import type { Outgoing, Transport } from '../../server/messaging/transports.ts';
import { seedDemo } from '../../server/seed.ts';
import { composeServices } from '../../server/services.ts';
import { openStore, type Store } from '../../server/store/index.ts';

export const ORIGIN = 'http://localhost:3000';

/** A database of its own for one test file: a temp SQLite file or a new PostgreSQL database. */
export async function openTestStore(): Promise<{
  store: Store;
  /** The PostgreSQL database, for a second instance on it (undefined on SQLite). */
  databaseUrl?: string;
  dispose: () => Promise<void>;
}> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    const store = await openStore({ databaseUrl: undefined, dataDir });
    return {
      store,
      dispose: async () => {
        await store.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    };
  }
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
  return {
    store,
    databaseUrl: url.toString(),
    dispose: async () => {
      await store.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  };
}

export class RecordingTransport<M extends Outgoing> implements Transport<M> {
  readonly name = 'recording';
  readonly sent: M[] = [];
  /** The queue ids of what was sent, in order (a repeat would show twice). */
  readonly ids: string[] = [];
  send(message: M, id: string) {
    this.sent.push(message);
    this.ids.push(id);
    return Promise.resolve();
  }
}

export class TestClock {
  constructor(public current = new Date('2026-06-01T09:00:00Z')) {}
  now = () => new Date(this.current);
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

export async function startTestApp(overrides: Partial<Config> = {}) {
  const { store, databaseUrl, dispose } = await openTestStore();
  const email = new RecordingTransport<Extract<Outgoing, { channel: 'email' }>>();
  const sms = new RecordingTransport<Extract<Outgoing, { channel: 'sms' }>>();
  const clock = new TestClock();
  // Pushes go to loopback receivers (tests/support/push-receiver.ts), signed with fresh keys.
  const vapid = { subject: 'mailto:push@parley.test', ...webpush.generateVAPIDKeys() };
  const push = pushTransport(store, vapid, egressRule('test'));
  // Not started: messages leave on `wake` (after each commit that queued some) and `idle`.
  const notifier = new Notifier(store, { email, sms, push, retryBaseMs: 1 });
  const pushFanout = new PushFanout(vapid.publicKey, store, notifier, clock.now);
  // Each simulated browser has its own IP, passed as a proxy would.
  const config: Config = { ...loadConfig({ NODE_ENV: 'test' }), trustProxy: true, ...overrides };
  const services = composeServices({
    config,
    store,
    notifier,
    secretKey: randomBytes(32),
    now: clock.now,
    push: pushFanout
  });
  const { spreader } = services;
  await seedDemo(store, clock.now());
  const app = createApp(services);
  return {
    app,
    services,
    store,
    databaseUrl,
    clock,
    email,
    sms,
    /** The VAPID key pair pushes are signed with (another instance shares it). */
    vapid,
    /** The last code sent to an address, once the delivery queue has run. */
    async lastCode(to: string): Promise<string> {
      await notifier.idle();
      const all = [...email.sent, ...sms.sent].filter((m) => m.to === to);
      const match = all.at(-1)?.text.match(/\b(\d{6})\b/);
      if (!match?.[1]) throw new Error(`no code sent to ${to}`);
      return match[1];
    },
    browser: (ip = '203.0.113.7') => new Browser(app, ip),
    /**
     * A browser signed in as an existing user with a session written straight to the store: for
     * specs that need many people and no sign-in flow (the model tests).
     */
    async signedInAs(userId: string, ip = '203.0.113.7') {
      const token = await store.tx((tx) => createSession(tx, userId, clock.now()));
      const browser = new Browser(app, ip);
      browser.useSession(`${SESSION_COOKIE}=${token}`);
      return browser;
    },
    /** Once the pushes of the messages committed so far have been sent (or given up). */
    async pushesSent(): Promise<void> {
      await pushFanout.idle();
      await notifier.idle();
    },
    /** Once the admin switches changed so far have reached every chat (they spread after commit). */
    spread: () => spreader.idle(),
    close: async () => {
      await spreader.stop();
      await pushFanout.idle();
      await notifier.idle();
      await notifier.stop();
      await dispose();
    }
  };
}

type JsonValue = unknown;

/** A same-origin browser: keeps its cookie and sends JSON like the real client does. */
export class Browser {
  private cookie: string | null = null;
  constructor(
    private readonly app: {
      request: (path: string, init?: RequestInit) => Response | Promise<Response>;
    },
    private readonly ip: string
  ) {}

  get sessionCookie() {
    return this.cookie;
  }

  /** Uses a session made straight in the store (`signedInAs`), skipping the code flow. */
  useSession(cookie: string) {
    this.cookie = cookie;
  }

  async request(
    method: string,
    url: string,
    body?: JsonValue,
    headers: Record<string, string> = {}
  ) {
    const init: RequestInit = {
      method,
      headers: {
        origin: ORIGIN,
        'x-forwarded-for': this.ip,
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.cookie && { cookie: this.cookie }),
        ...headers
      },
      ...(body !== undefined && { body: JSON.stringify(body) })
    };
    const response = await this.app.request(`${ORIGIN}${url}`, init);
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair && !pair.endsWith('=') ? pair : null;
    }
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      setCookie,
      body: text ? (JSON.parse(text) as Record<string, any>) : null
    };
  }

  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body: JsonValue = {}) {
    return this.request('POST', url, body);
  }
  patch(url: string, body: JsonValue) {
    return this.request('PATCH', url, body);
  }

  /** Signs in through the real code flow. */
  async signIn(test: TestApp, address: string, name?: string) {
    const sent = await this.post('/api/auth/code', { address, region: 'FR' });
    if (sent.status !== 202) throw new Error(`code request failed: ${JSON.stringify(sent.body)}`);
    const code = await test.lastCode(address);
    const verified = await this.post('/api/auth/verify', { address, region: 'FR', code, name });
    if (verified.body?.status !== 'signed_in') {
      throw new Error(`sign-in failed: ${JSON.stringify(verified.body)}`);
    }
    return verified.body.user as Record<string, any>;
  }
}
