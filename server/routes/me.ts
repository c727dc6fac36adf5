// The signed-in person's own profile.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { isRegionCode } from '../../common/address.ts';
import { MAX_NAME_LENGTH } from '../../common/limits.ts';
import { DEFAULT_REQUEST_CAP } from '../../common/protocol.ts';
import { requestCap } from '../domain/external/policy.ts';
import { readDisplayName, sanitizeDisplayName } from '../domain/names.ts';
import type { OrganizationRow, UserRow } from '../store/schema.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { ApiError, errorResponses } from '../http/errors.ts';
import { requireSignedIn } from '../http/guards.ts';
import { tables } from '../store/index.ts';

export const LocaleSchema = z.enum(['en', 'fr']);

/** The name rule is the shared one (`name_*` codes), checked where the name is used. */
export const NameInput = z
  .string()
  .max(1000)
  .openapi({
    description: `1–${MAX_NAME_LENGTH} characters; no URL, email address, phone number, control, bidi or invisible characters (400 \`name_empty\`, \`name_too_long\`, \`name_invisible_characters\`, \`name_contains_url\`, \`name_contains_email\`, \`name_contains_phone\`)`,
    example: 'Dana Field'
  });

export const MeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'E.164' }),
    kind: z.enum(['managed', 'personal']),
    role: z.enum(['admin', 'member']).nullable(),
    organization: z.object({ id: z.string(), name: z.string(), region: z.string() }).nullable(),
    region: z.string().openapi({ description: 'Region used to read national phone numbers' }),
    locale: LocaleSchema.nullable(),
    requestsAllowed: z.boolean().openapi({
      description: 'Message requests from outside reach this person (off: they vanish silently)'
    }),
    requestCap: z.number().int().min(1).max(DEFAULT_REQUEST_CAP).openapi({
      description:
        'Messages this person may send in a request before it is accepted: their organization’s setting, 10 for personal accounts'
    })
  })
  .openapi('Me');

export type Me = z.infer<typeof MeSchema>;

/** Where no region is known, numbers must be typed with their country code. */
const FALLBACK_REGION = 'US';

export function toMe(user: UserRow, organization: OrganizationRow | null): Me {
  return {
    id: user.id,
    name: sanitizeDisplayName(user.name),
    email: user.email,
    phone: user.phone,
    kind: organization ? 'managed' : 'personal',
    role: organization ? (user.role ?? 'member') : null,
    organization: organization
      ? { id: organization.id, name: organization.name, region: organization.defaultRegion }
      : null,
    region: organization?.defaultRegion ?? user.region ?? FALLBACK_REGION,
    locale: user.locale ?? null,
    requestsAllowed: user.requestsAllowed,
    // The device applies it to what it queues offline, so a cap an admin lowered holds there too.
    requestCap: requestCap(organization)
  };
}

const getMe = createRoute({
  method: 'get',
  path: '/',
  tags: ['Profile'],
  summary: 'The signed-in person',
  middleware: [requireSignedIn] as const,
  responses: {
    200: { description: 'Profile', content: { 'application/json': { schema: MeSchema } } },
    ...errorResponses(401)
  }
});

const UpdateMeSchema = z
  .object({
    name: NameInput.optional(),
    region: z
      .string()
      .refine(isRegionCode, 'must be an ISO region code such as FR or US')
      .optional(),
    locale: LocaleSchema.nullable().optional(),
    requestsAllowed: z.boolean().optional()
  })
  .strict()
  .openapi('UpdateMe');

const updateMe = createRoute({
  method: 'patch',
  path: '/',
  tags: ['Profile'],
  summary:
    'Change name, phone region (personal accounts), language, or whether requests from outside reach you',
  middleware: [requireSignedIn] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: UpdateMeSchema } } }
  },
  responses: {
    200: { description: 'Updated profile', content: { 'application/json': { schema: MeSchema } } },
    ...errorResponses(400, 401, 403)
  }
});

export function meRoutes(services: Services) {
  return new OpenAPIHono<AppEnv>()
    .openapi(getMe, (c) => {
      const { user, organization } = c.var.signedIn;
      return c.json(toMe(user, organization), 200);
    })
    .openapi(updateMe, async (c) => {
      const { user, organization } = c.var.signedIn;
      const changes = c.req.valid('json');
      if (changes.region !== undefined && organization) {
        throw new ApiError(
          403,
          'region_managed_by_organization',
          'Your organization sets the phone region; ask an admin to change it.'
        );
      }
      const name = changes.name === undefined ? undefined : readDisplayName(changes.name);
      if (Object.values(changes).every((value) => value === undefined)) {
        return c.json(toMe(user, organization), 200);
      }
      const [updated] = await services.store.tx((tx) =>
        tx
          .update(tables.users)
          .set({
            ...(name !== undefined && { name }),
            ...(changes.region !== undefined && { region: changes.region }),
            ...(changes.locale !== undefined && { locale: changes.locale }),
            ...(changes.requestsAllowed !== undefined && {
              // A literal: a JS boolean is bound unconverted on SQLite.
              requestsAllowed: changes.requestsAllowed
            })
          })
          .where(eq(tables.users.id, user.id))
          .returning()
      );
      return c.json(toMe(updated ?? user, organization), 200);
    });
}
