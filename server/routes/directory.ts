// Finding people to chat with: the signed-in person's own organization (by name or email) and
// their accepted external contacts (by name).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { DIRECTORY_LIMIT, searchDirectory } from '../domain/directory.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { errorResponses } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';

const PersonSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    organization: z.string().nullable(),
    external: z.boolean().openapi({ description: 'An accepted contact outside your organization' })
  })
  .openapi('Person');

const search = createRoute({
  method: 'get',
  path: '/',
  tags: ['Directory'],
  summary: 'Search your organization and your accepted contacts',
  description: `Up to ${DIRECTORY_LIMIT} people, by name, never yourself: colleagues (by name or email) and accepted external contacts (by name; \`external: true\`, no email). Personal accounts see only their accepted contacts.`,
  middleware: [requireSignedIn] as const,
  request: {
    query: z.object({
      q: z.string().max(100).optional().openapi({ description: 'Part of a name or email' })
    })
  },
  responses: {
    200: {
      description: 'Matching people',
      content: {
        'application/json': {
          schema: z.object({ people: z.array(PersonSchema) }).openapi('DirectoryResults')
        }
      }
    },
    ...errorResponses(400, 401)
  }
});

export function directoryRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>().openapi(search, async (c) => {
    const { user } = c.var.signedIn;
    const people = await searchDirectory(
      services.store.db,
      { id: user.id, organizationId: user.organizationId },
      c.req.valid('query').q ?? ''
    );
    return c.json({ people }, 200);
  });
}
