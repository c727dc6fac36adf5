// A chat's older messages, loaded as the user scrolls back (recent ones come with sync).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { SyncEngine } from '../domain/sync/engine.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError, errorResponses } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import { HistoryResponseSchema, QueryInteger } from './sync-schemas.ts';

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;

const history = createRoute({
  method: 'get',
  path: '/{chatId}/messages',
  tags: ['Chats'],
  summary: 'Messages of a chat before a sequence number, newest first',
  middleware: [requireSignedIn] as const,
  request: {
    params: z.object({ chatId: z.string().min(1).max(100) }),
    query: z.object({
      before: QueryInteger()
        .optional()
        .openapi({ description: 'Only messages with a lower `seq` (default: the newest)' }),
      limit: QueryInteger(HISTORY_MAX_LIMIT)
        .pipe(z.number().min(1))
        .optional()
        .openapi({ description: `At most this many (default ${HISTORY_DEFAULT_LIMIT})` })
    })
  },
  responses: {
    200: {
      description: 'A page of messages; `hasMore` when older ones exist',
      content: { 'application/json': { schema: HistoryResponseSchema } }
    },
    ...errorResponses(400, 401, 404)
  }
});

export function chatRoutes(sync: SyncEngine) {
  return new OpenAPIHono<AppEnv>().openapi(history, async (c) => {
    const { chatId } = c.req.valid('param');
    const { before, limit } = c.req.valid('query');
    const page = await sync.history(
      c.var.signedIn.user.id,
      chatId,
      before,
      limit ?? HISTORY_DEFAULT_LIMIT
    );
    if (!page) {
      throw new ApiError(404, 'chat_not_found', 'This chat does not exist or you are not in it.');
    }
    return c.json(page, 200);
  });
}
