// The outgoing queue's Web Push channel: sends one queued push to its subscription and acts on
// the answer. A subscription the push service calls gone (404/410) is forgotten; 429, 5xx and
// network errors are thrown, so the queue tries again with backoff; any other refusal drops
// the push, and a subscription refused this many times in a row is forgotten.
import type { OutgoingPush, Transport } from '../messaging/transports.ts';
import type { Store } from '../store/index.ts';
import type { EgressRule } from './egress.ts';
import { sendPush } from './send.ts';
import {
  countFailure,
  forgetSubscription,
  resetFailures,
  subscriptionById
} from './subscriptions.ts';
import type { VapidDetails } from './vapid.ts';

const MAX_REFUSALS = 3;
/** A day: a notification about a chat older than that is of no use on arrival. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;

export function pushTransport(
  store: Store,
  vapid: VapidDetails,
  rule: EgressRule
): Transport<OutgoingPush> {
  return {
    name: 'web-push',
    async send(message) {
      const subscription = await store.read((db) => subscriptionById(db, message.to));
      // Signed out (or forgotten) since it was queued: nobody to tell.
      if (!subscription) return;
      const outcome = await sendPush(
        subscription,
        message.text,
        { ttl: PUSH_TTL_SECONDS, urgency: message.urgency, topic: message.topic },
        vapid,
        rule
      );
      switch (outcome.kind) {
        case 'delivered':
          if (subscription.failures > 0) {
            await store.tx((tx) => resetFailures(tx, subscription.id));
          }
          return;
        case 'gone':
          await store.tx((tx) => forgetSubscription(tx, subscription.id));
          return;
        case 'retry':
          throw new Error(outcome.reason);
        case 'refused': {
          const failures = await store.tx((tx) => countFailure(tx, subscription.id));
          if (failures >= MAX_REFUSALS) {
            await store.tx((tx) => forgetSubscription(tx, subscription.id));
          }
          console.warn(`[push] push refused (${failures} in a row): ${outcome.reason}`);
          return;
        }
      }
    }
  };
}
