// Web Push subscriptions (docs/notifications.md): the VAPID key browsers subscribe with, and
// each browser's subscription, bound to its session.
import { ECDH } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv, Services } from '../http/context.ts';
import { ApiError, errorResponses } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import { egressRule, endpointProblem, MAX_ENDPOINT_LENGTH } from '../push/egress.ts';
import { deleteSubscription, saveSubscription } from '../push/subscriptions.ts';

const TAG = 'Notifications';

/** base64url (padding tolerated) of exactly `bytes` bytes. */
const base64urlKey = (bytes: number, description: string) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must be ${bytes} bytes`)
    .openapi({ description });

const EndpointInput = z
  .string()
  .max(MAX_ENDPOINT_LENGTH)
  .openapi({ description: 'The push service URL the browser was given (https)' });

const SubscriptionInput = z
  .object({
    endpoint: EndpointInput,
    expirationTime: z.number().int().nonnegative().nullable().optional(),
    keys: z.object({
      p256dh: base64urlKey(65, "The browser's P-256 public key, uncompressed"),
      auth: base64urlKey(16, "The browser's authentication secret")
    })
  })
  .openapi('PushSubscriptionInput', {
    description: "The browser's `PushSubscription.toJSON()`"
  });

const json = <T extends z.ZodType>(body: T) => ({
  required: true,
  content: { 'application/json': { schema: body } }
});

const getKey = createRoute({
  method: 'get',
  path: '/key',
  tags: [TAG],
  summary: 'The VAPID public key to subscribe with (`applicationServerKey`)',
  responses: {
    200: {
      description: 'The key, base64url',
      content: {
        'application/json': {
          schema: z.object({ publicKey: z.string() }).openapi('PushKey')
        }
      }
    },
    ...errorResponses(404)
  }
});

const subscribe = createRoute({
  method: 'post',
  path: '/subscriptions',
  tags: [TAG],
  summary: "Subscribe this browser to push notifications (bound to this browser's session)",
  description:
    'One subscription per browser: the one sent replaces any other of this session; the same endpoint again is an update. Signing out deletes it.',
  middleware: [requireSignedIn] as const,
  request: { body: json(SubscriptionInput) },
  responses: {
    201: { description: 'Subscribed' },
    200: { description: 'The endpoint was known: updated' },
    ...errorResponses(400, 401, 404)
  }
});

const unsubscribe = createRoute({
  method: 'delete',
  path: '/subscriptions',
  tags: [TAG],
  summary: 'Stop push notifications to this endpoint',
  middleware: [requireSignedIn] as const,
  request: {
    body: json(z.object({ endpoint: EndpointInput }).openapi('PushUnsubscribe'))
  },
  responses: { 204: { description: 'No longer subscribed' }, ...errorResponses(400, 401) }
});

function checkKeys(p256dh: string) {
  try {
    // Throws unless the bytes are a point on the curve: refused now, not at every send.
    ECDH.convertKey(Buffer.from(p256dh, 'base64url'), 'prime256v1');
  } catch {
    throw new ApiError(400, 'invalid_subscription', 'The subscription key is not a P-256 key.');
  }
}

export function pushRoutes(services: Services) {
  const rule = egressRule(services.config.env);
  const push = () => {
    if (!services.push) {
      throw new ApiError(404, 'push_unavailable', 'This server sends no push notifications.');
    }
    return services.push;
  };
  return new OpenAPIHono<AppEnv>()
    .openapi(getKey, (c) => c.json({ publicKey: push().publicKey }, 200))
    .openapi(subscribe, async (c) => {
      push();
      const { endpoint, expirationTime, keys } = c.req.valid('json');
      const problem = endpointProblem(endpoint, rule);
      if (problem) throw new ApiError(400, 'invalid_endpoint', problem);
      checkKeys(keys.p256dh);
      const { user, tokenHash } = c.var.signedIn;
      const { created } = await services.store.tx((tx) =>
        saveSubscription(
          tx,
          { userId: user.id, sessionHash: tokenHash },
          {
            endpoint,
            p256dh: keys.p256dh.replace(/=+$/, ''),
            auth: keys.auth.replace(/=+$/, ''),
            expiresAtMs: expirationTime ?? null
          },
          services.now()
        )
      );
      return c.body(null, created ? 201 : 200);
    })
    .openapi(unsubscribe, async (c) => {
      const { endpoint } = c.req.valid('json');
      const userId = c.var.signedIn.user.id;
      await services.store.tx((tx) => deleteSubscription(tx, userId, endpoint));
      return c.body(null, 204);
    });
}
