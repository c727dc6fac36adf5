// The durable email/SMS queue. A change that sends something writes the message into
// `outgoing_messages` in its own transaction (`enqueue`), so the message exists if and only if
// the change committed; delivery runs after commit, off the request path, so that a slow or
// failing provider neither delays answers nor reveals (by timing) what happened to an address.
//
// Delivery is at least once: a message is claimed with a lease (its `due_at_ms` moves to the
// lease's end and a claim token is set), sent, then deleted. An instance that dies mid-send
// leaves the claim to expire and another instance (or the same one restarted) sends it again;
// providers get the row id as an idempotency key so that such a repeat can be recognised.
// With several instances on PostgreSQL, claims skip rows another instance has locked.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lte, min, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { tables, type Db, type Store } from '../store/index.ts';
import type { OutgoingMessageRow } from '../store/schema.ts';
import {
  devOutboxTransport,
  httpSmsTransport,
  smtpTransport,
  type Outgoing,
  type OutgoingEmail,
  type OutgoingPush,
  type OutgoingSms,
  type Transport
} from './transports.ts';

export type NotifierOptions = {
  email: Transport<OutgoingEmail>;
  sms: Transport<OutgoingSms>;
  /** Web Push (server/push/); pushes are only queued where one is given. */
  push?: Transport<OutgoingPush>;
  /** Tries before a message is given up (recorded with `failed_at` and `last_error`). */
  maxAttempts?: number;
  /** The first retry waits about this long; each next one twice as long, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long a claim lasts: longer than any one send takes (transports time out before it). */
  leaseMs?: number;
  /** How often the delivery loop looks for due messages (other instances' and retries). */
  pollMs?: number;
  /** Messages claimed, and sent concurrently, at a time. */
  batchSize?: number;
  /** Epoch milliseconds; the queue's own clock. */
  now?: () => number;
  onGiveUp?: (message: Outgoing, error: unknown) => void;
};

const DEFAULTS = {
  maxAttempts: 10,
  retryBaseMs: 2_000,
  retryMaxMs: 15 * 60_000,
  leaseMs: 2 * 60_000,
  pollMs: 1_000,
  batchSize: 20
};

const { outgoingMessages: queue } = tables;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Notifier {
  private readonly settings: typeof DEFAULTS;
  private readonly now: () => number;
  /** The running delivery pass, if any; `again` asks it for one more round. */
  private pass: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: NotifierOptions
  ) {
    this.settings = {
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
      leaseMs: options.leaseMs ?? DEFAULTS.leaseMs,
      pollMs: options.pollMs ?? DEFAULTS.pollMs,
      batchSize: options.batchSize ?? DEFAULTS.batchSize
    };
    this.now = options.now ?? Date.now;
  }

  /**
   * Writes messages to send in `tx`, the transaction of the change that causes them: they leave
   * only if it commits. Call `wake` after the commit to send them at once.
   */
  async enqueue(tx: Db, ...messages: Outgoing[]): Promise<void> {
    if (messages.length === 0) return;
    const at = this.now();
    await tx.insert(queue).values(
      messages.map((message) => ({
        id: randomUUID(),
        channel: message.channel,
        recipient: message.to,
        subject: subjectOf(message),
        body: message.text,
        dueAtMs: at,
        createdAt: new Date(at)
      }))
    );
  }

  /** Looks for due messages now (after a commit that enqueued some); returns at once. */
  wake(): void {
    if (!this.stopped) void this.deliverDue();
  }

  /** Starts the delivery loop: due messages are looked for every `pollMs`, and on `wake`. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.wake(), this.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Resolves once no message is waiting: every one was sent or given up, retries included (for
   * tests and tools; a message claimed by another instance is waited for until it is gone).
   */
  async idle(): Promise<void> {
    for (;;) {
      await this.deliverDue();
      const [next] = await this.store.read((db) =>
        db
          .select({ dueAtMs: min(queue.dueAtMs) })
          .from(queue)
          .where(isNull(queue.failedAt))
      );
      if (next?.dueAtMs === null || next?.dueAtMs === undefined || this.stopped) return;
      const wait = Number(next.dueAtMs) - this.now();
      await sleep(Math.min(Math.max(wait, 1), 50));
    }
  }

  /** Stops the loop and waits for the sends under way; what is left waits in the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
  }

  close(): void {
    this.options.email.close?.();
    this.options.sms.close?.();
    this.options.push?.close?.();
  }

  /** One pass at a time per instance: claims and sends batches until nothing is due. */
  private deliverDue(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.deliverBatch()) > 0);
        } while (this.again && !this.stopped);
      } catch (error) {
        // The database is unreachable: the next poll tries again.
        console.error('[notifier] delivery pass failed:', error);
      } finally {
        this.pass = null;
      }
    })();
    return this.pass;
  }

  private async deliverBatch(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  /** Takes up to a batch of due messages for one lease. */
  private claim(): Promise<OutgoingMessageRow[]> {
    const at = this.now();
    const token = randomUUID();
    const due = and(isNull(queue.failedAt), lte(queue.dueAtMs, at));
    return this.store.tx((tx) => {
      const candidates = tx
        .select({ id: queue.id })
        .from(queue)
        .where(due)
        .orderBy(queue.dueAtMs)
        .limit(this.settings.batchSize);
      // On PostgreSQL, rows another instance is claiming are skipped rather than waited for;
      // the outer condition is checked again on the row as it is once locked.
      const ids =
        this.store.dialect === 'postgres'
          ? candidates.for('update', { skipLocked: true })
          : candidates;
      return tx
        .update(queue)
        .set({
          claim: token,
          dueAtMs: at + this.settings.leaseMs,
          attempts: sql`${queue.attempts} + 1`
        })
        .where(and(inArray(queue.id, ids), due))
        .returning();
    });
  }

  private async deliver(row: OutgoingMessageRow): Promise<void> {
    const mine = and(eq(queue.id, row.id), eq(queue.claim, row.claim ?? ''));
    const message = toOutgoing(row);
    try {
      if (message.channel === 'email') await this.options.email.send(message, row.id);
      else if (message.channel === 'sms') await this.options.sms.send(message, row.id);
      else if (this.options.push) await this.options.push.send(message, row.id);
      else throw new Error('no push transport on this instance');
    } catch (error) {
      const lastError = String(error instanceof Error ? error.message : error).slice(0, 1000);
      const at = this.now();
      if (row.attempts >= this.settings.maxAttempts) {
        await this.store.tx((tx) =>
          tx
            .update(queue)
            .set({ claim: null, failedAt: new Date(at), lastError })
            .where(mine)
        );
        (this.options.onGiveUp ?? logGiveUp)(message, error);
        return;
      }
      await this.store.tx((tx) =>
        tx
          .update(queue)
          .set({ claim: null, dueAtMs: at + this.retryDelay(row.attempts), lastError })
          .where(mine)
      );
      return;
    }
    await this.store.tx((tx) => tx.delete(queue).where(mine));
  }

  /** Exponential backoff with jitter (0.5–1.5×), which spreads retries after an outage. */
  private retryDelay(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.5 + Math.random()));
  }
}

function subjectOf(message: Outgoing): string | null {
  if (message.channel === 'email') return message.subject;
  if (message.channel === 'push') {
    return JSON.stringify({ urgency: message.urgency, topic: message.topic });
  }
  return null;
}

function toOutgoing(row: OutgoingMessageRow): Outgoing {
  switch (row.channel) {
    case 'email':
      return { channel: 'email', to: row.recipient, subject: row.subject ?? '', text: row.body };
    case 'sms':
      return { channel: 'sms', to: row.recipient, text: row.body };
    case 'push': {
      const { urgency, topic } = JSON.parse(row.subject ?? '{}') as Partial<OutgoingPush>;
      return {
        channel: 'push',
        to: row.recipient,
        text: row.body,
        urgency: urgency === 'high' ? 'high' : 'normal',
        topic: topic ?? ''
      };
    }
  }
}

function logGiveUp(message: Outgoing, error: unknown) {
  console.error(`[notifier] gave up sending ${message.channel}:`, error);
}

/** Real providers where configured; the development outbox otherwise (config forbids it in production). */
export function notifierFromConfig(
  config: Config,
  store: Store,
  push?: Transport<OutgoingPush>
): Notifier {
  return new Notifier(store, {
    email: config.mail ? smtpTransport(config.mail) : devOutboxTransport(store),
    sms: config.sms ? httpSmsTransport(config.sms) : devOutboxTransport(store),
    push
  });
}
