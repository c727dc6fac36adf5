// A device for sync tests: a signed-in browser with a device id and its own mutation sequence.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type {
  ChatState,
  Mutation,
  MutationBody,
  MutationResult,
  MutationType,
  PullResponse
} from '../../common/protocol.ts';
import { tables } from '../../server/store/index.ts';
import type { Browser, TestApp } from './harness.ts';

type Args<T extends MutationType> = Extract<MutationBody, { type: T }>['args'];

export class TestDevice {
  readonly id: string;
  private seq = 0;

  constructor(
    readonly browser: Browser,
    readonly userId: string,
    id: string = randomUUID()
  ) {
    this.id = id;
  }

  /** The next mutation of this device (not pushed). */
  mutation<T extends MutationType>(type: T, args: Args<T>): Mutation {
    return {
      id: randomUUID(),
      seq: ++this.seq,
      at: new Date().toISOString(),
      type,
      args
    } as Mutation;
  }

  async push(mutations: Mutation[]) {
    return this.browser.post('/api/sync/push', { deviceId: this.id, mutations });
  }

  /** Pushes mutations and returns their results (failing on anything but a 200). */
  async apply(...mutations: Mutation[]): Promise<MutationResult[]> {
    const response = await this.push(mutations);
    if (response.status !== 200) {
      throw new Error(`push answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body?.results as MutationResult[];
  }

  /** Makes one mutation, pushes it, and returns its result. */
  async do<T extends MutationType>(type: T, args: Args<T>): Promise<MutationResult> {
    const [result] = await this.apply(this.mutation(type, args));
    if (!result) throw new Error('no result');
    return result;
  }

  send(chatId: string, body: string, messageId: string = randomUUID()) {
    return this.do('message.send', { chatId, messageId, body });
  }

  async pull(cursor = 0, limit?: number): Promise<PullResponse> {
    const query = `cursor=${cursor}${limit === undefined ? '' : `&limit=${limit}`}`;
    const response = await this.browser.get(`/api/sync/pull?${query}`);
    if (response.status !== 200) throw new Error(`pull answered ${response.status}`);
    return response.body as PullResponse;
  }

  /** Every change from `cursor` on, following `hasMore`. */
  async pullAll(cursor = 0, limit?: number): Promise<PullResponse['changes']> {
    const all: PullResponse['changes'] = [];
    for (;;) {
      const page = await this.pull(cursor, limit);
      all.push(...page.changes);
      cursor = page.cursor;
      if (!page.hasMore) return all;
    }
  }
}

/** Signs a seeded person in on a new browser and gives them a device. */
export async function deviceFor(t: TestApp, email: string, name?: string): Promise<TestDevice> {
  const browser = t.browser();
  const user = await browser.signIn(t, email, name);
  return new TestDevice(browser, user.id as string);
}

/** A 1:1 chat between `creator` and `other`, created by `creator`. */
export async function directChat(creator: TestDevice, other: TestDevice): Promise<string> {
  const chatId = randomUUID();
  expect(await creator.do('chat.createDirect', { chatId, userId: other.userId })).toMatchObject({
    status: 'applied'
  });
  return chatId;
}

/** The messages the server stored in `chatId`, in the chat's order. */
export async function storedMessages(t: TestApp, chatId: string) {
  return t.store.db
    .select()
    .from(tables.messages)
    .where(eq(tables.messages.chatId, chatId))
    .orderBy(tables.messages.seq);
}

/** The latest view of `chatId` in the device's change log. */
export async function lastView(device: TestDevice, chatId: string): Promise<ChatState | undefined> {
  const changes = await device.pullAll();
  const views = changes.flatMap((c) => (c.type === 'chat' && c.chat.id === chatId ? [c.chat] : []));
  return views.at(-1);
}
