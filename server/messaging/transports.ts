// Where outgoing email and SMS go: SMTP, an SMS provider speaking Twilio's Messages API, or the
// development outbox in the database.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import { tables, type Store } from '../store/index.ts';

export type OutgoingEmail = { channel: 'email'; to: string; subject: string; text: string };
export type OutgoingSms = { channel: 'sms'; to: string; text: string };
export type Outgoing = OutgoingEmail | OutgoingSms;

export interface Transport<M extends Outgoing> {
  readonly name: string;
  send(message: M): Promise<void>;
  close?(): void;
}

export function smtpTransport(mail: NonNullable<Config['mail']>): Transport<OutgoingEmail> {
  const transporter = nodemailer.createTransport(mail.smtpUrl);
  return {
    name: 'smtp',
    async send(message) {
      await transporter.sendMail({
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
export function httpSmsTransport(sms: NonNullable<Config['sms']>): Transport<OutgoingSms> {
  const endpoint = new URL(
    `2010-04-01/Accounts/${encodeURIComponent(sms.accountSid)}/Messages.json`,
    sms.apiUrl.endsWith('/') ? sms.apiUrl : `${sms.apiUrl}/`
  );
  const authorization = `Basic ${Buffer.from(`${sms.accountSid}:${sms.authToken}`).toString('base64')}`;
  return {
    name: 'sms-http',
    async send(message) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization,
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
export function devOutboxTransport<M extends Outgoing>(store: Store): Transport<M> {
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
