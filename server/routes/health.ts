// Liveness and storage engine, for load balancers and for people checking a deployment.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv, Services } from '../http/context.ts';
import { ping } from '../store/index.ts';
import { VERSION } from '../version.ts';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Health'],
  summary: 'Is the server up, and which database does it use',
  responses: {
    200: {
      description: 'Healthy',
      content: {
        'application/json': {
          schema: z
            .object({
              ok: z.literal(true),
              db: z.enum(['sqlite', 'postgres']),
              version: z.string()
            })
            .openapi('Health')
        }
      }
    },
    503: {
      description: 'The database does not answer',
      content: {
        'application/json': {
          schema: z.object({
            ok: z.literal(false),
            db: z.enum(['sqlite', 'postgres']),
            version: z.string()
          })
        }
      }
    }
  }
});

export function healthRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>().openapi(health, async (c) => {
    const db = services.store.dialect;
    return (await ping(services.store))
      ? c.json({ ok: true as const, db, version: VERSION }, 200)
      : c.json({ ok: false as const, db, version: VERSION }, 503);
  });
}
