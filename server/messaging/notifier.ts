// Sends email and SMS off the request path, with retries, so that a slow or failing provider
// neither delays answers nor reveals (by timing) what happened to a given address.
import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';
import {
  devOutboxTransport,
  httpSmsTransport,
  smtpTransport,
  type Outgoing,
  type OutgoingEmail,
  type OutgoingSms,
  type Transport
} from './transports.ts';

export type NotifierOptions = {
  email: Transport<OutgoingEmail>;
  sms: Transport<OutgoingSms>;
  /** Delays before each retry; the message is given up (and logged) after the last one. */
  retryDelaysMs?: number[];
  onGiveUp?: (message: Outgoing, error: unknown) => void;
};

export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly retryDelaysMs: number[];

  constructor(private readonly options: NotifierOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 5_000, 30_000];
  }

  /** Queues a message; returns at once. */
  enqueue(message: Outgoing): void {
    const delivery = this.deliver(message).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /** Resolves once every queued message has been delivered or given up. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.options.email.close?.();
    this.options.sms.close?.();
  }

  private async deliver(message: Outgoing): Promise<void> {
    // Leave the request path first: the answer must not wait on (or time) the provider.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 0; ; attempt++) {
      try {
        if (message.channel === 'email') await this.options.email.send(message);
        else await this.options.sms.send(message);
        return;
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined) {
          (this.options.onGiveUp ?? logGiveUp)(message, error);
          return;
        }
        // Jitter spreads retries when a provider comes back after an outage.
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      }
    }
  }
}

function logGiveUp(message: Outgoing, error: unknown) {
  console.error(`[notifier] gave up sending ${message.channel}:`, error);
}

/** Real providers where configured; the development outbox otherwise (config forbids it in production). */
export function notifierFromConfig(config: Config, store: Store): Notifier {
  return new Notifier({
    email: config.mail ? smtpTransport(config.mail) : devOutboxTransport(store),
    sms: config.sms ? httpSmsTransport(config.sms) : devOutboxTransport(store)
  });
}
