// One Web Push request (RFC 8030) with an encrypted payload (RFC 8291) and a VAPID token
// (RFC 8292): `web-push` builds it, we send it, because its own sender always speaks HTTPS and
// we need the egress guard on the connection itself. Redirects are never followed.
import http from 'node:http';
import https from 'node:https';
import webpush from 'web-push';
import { endpointProblem, guardedLookup, type EgressRule } from './egress.ts';
import type { VapidDetails } from './vapid.ts';

export type PushTarget = { endpoint: string; p256dh: string; auth: string };

export type PushOptions = {
  /** Seconds the push service keeps the message for an offline device. */
  ttl: number;
  urgency: 'high' | 'normal';
  /** A push service keeps only the latest undelivered message of one topic (≤ 32 base64url). */
  topic: string;
};

/**
 * `delivered`; `gone` (404/410: the subscription no longer exists); `retry` (429, 5xx, the
 * network: try later); `refused` (any other answer: trying again would not help).
 */
export type PushOutcome =
  | { kind: 'delivered' }
  | { kind: 'gone' }
  | { kind: 'retry'; reason: string }
  | { kind: 'refused'; reason: string };

const TIMEOUT_MS = 10_000;
/** What is read of an answer's body, for the error message. */
const MAX_ANSWER_BYTES = 1024;

export async function sendPush(
  target: PushTarget,
  payload: string,
  options: PushOptions,
  vapid: VapidDetails,
  rule: EgressRule
): Promise<PushOutcome> {
  const problem = endpointProblem(target.endpoint, rule);
  if (problem) return { kind: 'refused', reason: problem };
  const details = webpush.generateRequestDetails(
    { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
    payload,
    {
      vapidDetails: vapid,
      TTL: options.ttl,
      urgency: options.urgency,
      topic: options.topic,
      contentEncoding: 'aes128gcm'
    }
  );
  const url = new URL(details.endpoint);
  const client = url.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(
    Object.entries(details.headers).map(([name, value]) => [name, String(value)])
  );
  return new Promise((resolve) => {
    const request = client.request(
      url,
      { method: 'POST', headers, lookup: guardedLookup(rule), timeout: TIMEOUT_MS, agent: false },
      (response) => {
        const status = response.statusCode ?? 0;
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < MAX_ANSWER_BYTES) body += chunk;
        });
        response.on('error', () => resolve({ kind: 'retry', reason: 'answer cut off' }));
        response.on('end', () => resolve(outcomeOf(status, body.slice(0, MAX_ANSWER_BYTES))));
      }
    );
    request.on('timeout', () => request.destroy(new Error('push service timed out')));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'EPUSHEGRESS'
          ? { kind: 'refused', reason: error.message }
          : { kind: 'retry', reason: error.message }
      )
    );
    request.end(details.body);
  });
}

function outcomeOf(status: number, body: string): PushOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 404 || status === 410) return { kind: 'gone' };
  const reason = `push service answered ${status}${body ? `: ${body}` : ''}`;
  if (status === 429 || status >= 500) return { kind: 'retry', reason };
  return { kind: 'refused', reason };
}
