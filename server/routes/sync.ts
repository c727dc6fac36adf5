// Sync: push a device's mutations, pull the changes since a cursor, bootstrap a new device. The
// WebSocket lives beside these (server/realtime); docs/sync-protocol.md tells the whole story.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { MAX_PUSH_BATCH } from '../../common/protocol.ts';
import type { SyncEngine } from '../domain/sync/engine.ts';
import type { AppEnv } from '../http/context.ts';
import { errorBody, errorResponses, ErrorSchema } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import {
  BootstrapResponseSchema,
  PullResponseSchema,
  PushRequestSchema,
  PushResponseSchema,
  QueryInteger
} from './sync-schemas.ts';

export const PULL_DEFAULT_LIMIT = 500;
export const PULL_MAX_LIMIT = 1000;

const push = createRoute({
  method: 'post',
  path: '/push',
  tags: ['Sync'],
  summary: "Apply a device's queued mutations, exactly once and in order",
  description: `At most ${MAX_PUSH_BATCH} mutations, in \`seq\` order. Each is answered \`applied\` or \`rejected\` (final, but for \`sequence_gap\`); replays get the answer recorded the first time.`,
  middleware: [requireSignedIn] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: PushRequestSchema } } }
  },
  responses: {
    200: {
      description: 'One result per mutation, in the same order',
      content: { 'application/json': { schema: PushResponseSchema } }
    },
    409: {
      description: '`device_taken`: the device id belongs to another account',
      content: { 'application/json': { schema: ErrorSchema } }
    },
    ...errorResponses(400, 401)
  }
});

const pull = createRoute({
  method: 'get',
  path: '/pull',
  tags: ['Sync'],
  summary: 'Changes visible to the signed-in user since a cursor, oldest first',
  middleware: [requireSignedIn] as const,
  request: {
    query: z.object({
      cursor: QueryInteger()
        .optional()
        .openapi({ description: 'Last cursor applied (0 at first)' }),
      limit: QueryInteger(PULL_MAX_LIMIT)
        .pipe(z.number().min(1))
        .optional()
        .openapi({ description: `At most this many changes (default ${PULL_DEFAULT_LIMIT})` })
    })
  },
  responses: {
    200: {
      description: 'A page of changes; pull again from `cursor` while `hasMore`',
      content: { 'application/json': { schema: PullResponseSchema } }
    },
    ...errorResponses(400, 401)
  }
});

const bootstrap = createRoute({
  method: 'get',
  path: '/bootstrap',
  tags: ['Sync'],
  summary: 'Current state for a new device: chats, their recent messages, and the cursor',
  middleware: [requireSignedIn] as const,
  responses: {
    200: {
      description: 'Every chat the user is in with the last messages of each',
      content: { 'application/json': { schema: BootstrapResponseSchema } }
    },
    ...errorResponses(401)
  }
});

const socket = createRoute({
  method: 'get',
  path: '/ws',
  tags: ['Sync'],
  summary: 'WebSocket for real-time changes (upgrade only)',
  description:
    'Authenticated by the session cookie, same origin only. The server sends `hello`, then `changes` or `poke` whenever a change for the user commits; the device sends `{"type":"ack","cursor":n}` after applying changes.',
  responses: {
    101: { description: 'Switching to the WebSocket protocol' },
    426: {
      description: 'Reached without a WebSocket upgrade',
      content: { 'application/json': { schema: ErrorSchema } }
    }
  }
});

export function syncRoutes(sync: SyncEngine) {
  return new OpenAPIHono<AppEnv>()
    .openapi(push, async (c) => {
      const { deviceId, mutations } = c.req.valid('json');
      const { user } = c.var.signedIn;
      const results = await sync.push(
        { id: user.id, organizationId: user.organizationId },
        deviceId,
        mutations
      );
      return c.json({ results }, 200);
    })
    .openapi(pull, async (c) => {
      const { cursor, limit } = c.req.valid('query');
      const page = await sync.pull(
        c.var.signedIn.user.id,
        cursor ?? 0,
        limit ?? PULL_DEFAULT_LIMIT
      );
      return c.json(page, 200);
    })
    .openapi(bootstrap, async (c) => c.json(await sync.bootstrap(c.var.signedIn.user.id), 200))
    .openapi(socket, (c) =>
      // The HTTP server hands real upgrades to the real-time hub before Hono sees them.
      c.json(errorBody('upgrade_required', 'Connect with a WebSocket.'), 426)
    );
}
