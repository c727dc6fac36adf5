// Where outgoing email and SMS go: SMTP, an SMS provider speaking Twilio's Messages API, or the
// development outbox in the database.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { tables, type Store } from '../store/index.ts';

export type OutgoingEmail = { channel: 'email'; to: string; subject: string; text: string };
export type OutgoingSms = { channel: 'sms'; to: string; text: string };
/**
 * A Web Push to one subscription (server/push/): `to` is the subscription's id, `text` the
 * payload to encrypt; the queue keeps `urgency` and `topic` in its `subject` column.
 */
export type OutgoingPush = {
  channel: 'push';
  to: string;
  text: string;
  urgency: 'high' | 'normal';
  topic: string;
};
export type Outgoing = OutgoingEmail | OutgoingSms | OutgoingPush;

/** An SMTP server (`SMTP_URL`, `MAIL_FROM`). */
export type SmtpOptions = { smtpUrl: string; from: string };
/** A provider speaking Twilio's Messages API (`SMS_*`). */
export type SmsApiOptions = { apiUrl: string; accountSid: string; authToken: string; from: string };

export interface Transport<M extends Outgoing> {
  readonly name: string;
  /**
   * Sends one message. `id` is the queued message's id, the same on every try: providers get
   * it as their idempotency key (SMTP Message-ID, the SMS API's Idempotency-Key).
   */
  send(message: M, id: string): Promise<void>;
  close?(): void;
}

/**
 * Every wait of an SMTP send is bounded, well within the queue's lease (a send outliving its
 * lease may be repeated by another instance); nodemailer's own socket timeout is an hour.
 * Values already in `SMTP_URL`'s query win.
 */
const SMTP_TIMEOUTS_MS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000
};

function boundedSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [key, ms] of Object.entries(SMTP_TIMEOUTS_MS)) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, String(ms));
  }
  return url.toString();
}

export function smtpTransport(mail: SmtpOptions): Transport<OutgoingEmail> {
  const transporter = nodemailer.createTransport(boundedSmtpUrl(mail.smtpUrl));
  const domain = /@([^\s>]+)>?\s*$/.exec(mail.from)?.[1] ?? 'parley.invalid';
  return {
    name: 'smtp',
    async send(message, id) {
      await transporter.sendMail({
        messageId: `<${id}@${domain}>`,
        from: mail.from,
        to: message.to,
        subject: message.subject,
        text: message.text
      });
    },
    close: () => transporter.close()
  };
}

/** The Twilio Messages API shape; the base URL is configurable so any compatible provider works. */
export function httpSmsTransport(sms: SmsApiOptions): Transport<OutgoingSms> {
  const endpoint = new URL(
    `2010-04-01/Accounts/${encodeURIComponent(sms.accountSid)}/Messages.json`,
    sms.apiUrl.endsWith('/') ? sms.apiUrl : `${sms.apiUrl}/`
  );
  const authorization = `Basic ${Buffer.from(`${sms.accountSid}:${sms.authToken}`).toString('base64')}`;
  return {
    name: 'sms-http',
    async send(message, id) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization,
          'idempotency-key': id,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json'
        },
        body: new URLSearchParams({ To: message.to, From: sms.from, Body: message.text }),
        signal: AbortSignal.timeout(10_000)
      });
      if (!response.ok) {
        const detail = await response.text().catch(() => '');
        throw new Error(`SMS provider answered ${response.status}: ${detail.slice(0, 300)}`);
      }
    }
  };
}

/** Keeps messages in the database for developers to read at /dev/outbox. */
export function devOutboxTransport<M extends OutgoingEmail | OutgoingSms>(
  store: Store
): Transport<M> {
  return {
    name: 'dev-outbox',
    async send(message) {
      await store.tx((tx) =>
        tx.insert(tables.devOutbox).values({
          id: randomUUID(),
          channel: message.channel,
          recipient: message.to,
          subject: message.channel === 'email' ? message.subject : null,
          body: message.text,
          createdAt: new Date()
        })
      );
    }
  };
}
