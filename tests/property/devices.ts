// The devices of the model tests: the real client sync code (Dexie on fake-indexeddb, outbox,
// push/pull) over the in-process app, behind a network that can be cut, lose or repeat a push.
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { ApiError, NetworkError } from '../../src/lib/api/client.ts';
import { ParleyDB } from '../../src/lib/db/index.ts';
import { SyncEngine } from '../../src/lib/sync/engine.ts';
import type { PushRequest } from '../../common/protocol.ts';
import { httpTransport, type Send, type Transport } from '../../src/lib/sync/transport.ts';
import { tables } from '../../server/store/index.ts';
import type { Browser, TestApp } from '../support/harness.ts';

export type Person = { id: string; browser: Browser };

/**
 * A new member of an organization, signed in: written straight to the store, so that thousands
 * of sequences each get people of their own (nothing a run leaves behind slows the next).
 */
export async function newMember(
  t: TestApp,
  organizationId: string,
  person: { name: string; email: string; phone?: string; role?: 'admin' | 'member' }
): Promise<Person> {
  const id = crypto.randomUUID();
  await t.store.tx((tx) =>
    tx.insert(tables.users).values({
      id,
      organizationId,
      role: person.role ?? 'member',
      name: person.name,
      email: person.email,
      emailKey: person.email.toLowerCase(),
      phone: person.phone ?? null,
      locale: 'en',
      createdAt: t.clock.now()
    })
  );
  return { id, browser: await t.signedInAs(id) };
}

/** The client's `Send` over the in-process app, failing the way the real fetch wrapper does. */
export function inProcess(browser: Browser): Send {
  return async <T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> => {
    const answer = await browser.request(method, path, method === 'GET' ? undefined : (body ?? {}));
    if (answer.status >= 200 && answer.status < 300) return answer.body as T;
    const error = (answer.body?.error ?? {}) as { code?: string; message?: string };
    throw new ApiError(answer.status, error.code ?? 'http_error', error.message ?? '');
  };
}

export type Fault = 'dropRequest' | 'dropResponse' | 'duplicate' | null;

/** The network between one device and the server: can be cut, lose or repeat a push. */
export class FaultyNetwork implements Transport {
  online = true;
  fault: Fault = null;
  constructor(private readonly real: Transport) {}

  #check() {
    if (!this.online) throw new NetworkError('offline');
  }

  async push(body: PushRequest) {
    this.#check();
    const fault = this.fault;
    this.fault = null;
    if (fault === 'dropRequest') throw new NetworkError('lost before reaching the server');
    const answer = await this.real.push(body);
    if (fault === 'dropResponse') throw new NetworkError('lost after the server committed');
    if (fault === 'duplicate') return this.real.push(body);
    return answer;
  }
  async pull(cursor: number, limit?: number) {
    this.#check();
    const page = await this.real.pull(cursor, limit);
    // A repeated delivery of the same page must change nothing.
    if (this.fault === 'duplicate') return { ...page, changes: [...page.changes, ...page.changes] };
    return page;
  }
  bootstrap() {
    this.#check();
    return this.real.bootstrap();
  }
  history(chatId: string, before: number, limit?: number) {
    this.#check();
    return this.real.history(chatId, before, limit);
  }
  directory(query: string) {
    this.#check();
    return this.real.directory(query);
  }
}

export class Device {
  readonly db: ParleyDB;
  /** A second tab: its own connection to the same IndexedDB database. */
  readonly tab: ParleyDB;
  readonly network: FaultyNetwork;
  engine: SyncEngine;
  constructor(
    readonly label: string,
    readonly person: Person
  ) {
    const name = `model-${label}-${crypto.randomUUID()}`;
    this.db = new ParleyDB(name);
    this.tab = new ParleyDB(name);
    this.network = new FaultyNetwork(httpTransport(inProcess(person.browser)));
    this.engine = this.#newEngine();
  }
  #newEngine() {
    return new SyncEngine({ db: this.db, transport: this.network, userId: this.person.id });
  }
  /** The tab crashed or was reloaded: a new engine over what IndexedDB kept. */
  restart() {
    this.engine = this.#newEngine();
  }
  /** One round of the sync loop; failures are what the real loop would retry later. */
  async sync() {
    try {
      await this.engine.pullAll();
      await this.engine.pushAll();
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
    }
  }
  async close() {
    this.db.close();
    this.tab.close();
    await Dexie.delete(this.db.name);
  }
}
