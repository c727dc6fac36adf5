// The invitation links: preview, join (signing in or creating an account) and refuse. No sync
// needed: the person opening a link may have no account yet.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import {
  acceptInvitation,
  countLinkUse,
  previewInvitation,
  refuseInvitation
} from '../domain/external/invitation-links.ts';
import { SESSION_LIFETIME_MS } from '../domain/sessions.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { errorResponses } from '../http/errors.ts';
import { SESSION_COOKIE } from '../http/guards.ts';
import { localeFromHeader } from '../messaging/templates.ts';
import { LocaleSchema, NameInput } from './me.ts';

/** 32 bytes in base64url are 43 characters; anything else cannot be a token. */
const TokenInput = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token from the invitation link')
  .openapi({ description: 'The `token` from the link’s fragment' });

const TokenBody = z.object({ token: TokenInput }).strict();

const invalidDescription =
  'invitation_invalid: unknown, used, revoked, superseded or expired (one answer for all)';

const preview = createRoute({
  method: 'post',
  path: '/preview',
  tags: ['Invitations'],
  summary: 'Who sent an invitation, to which address (masked)',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: TokenBody.openapi('InvitationToken') } }
    }
  },
  responses: {
    200: {
      description: 'The invitation',
      content: {
        'application/json': {
          schema: z
            .object({
              sender: z.object({ name: z.string(), organization: z.string().nullable() }),
              address: z.string().openapi({ example: 'a••••@example.org' }),
              channel: z.enum(['email', 'sms']),
              expiresAt: z.string().openapi({ format: 'date-time' }),
              signedInAs: z.object({ matches: z.boolean() }).nullable().openapi({
                description:
                  'Null when signed out; otherwise whether this account holds the invited address'
              })
            })
            .openapi('InvitationPreview')
        }
      }
    },
    ...errorResponses(400, 429),
    404: {
      description: invalidDescription,
      content: errorResponses(404)[404].content
    }
  }
});

const accept = createRoute({
  method: 'post',
  path: '/accept',
  tags: ['Invitations'],
  summary: 'Join the invitation’s chat (signing in, or creating an account, when signed out)',
  description:
    'Single use. Signed out, the link proves control of the address: the account holding it is signed in (a session cookie is set), or a new one is created with `name` (without it: 400 `name_required`, the link still works). Signed in, the account must hold the invited address, else 403 `invitation_address_mismatch`. 403 `invitation_unavailable` when the account blocked the sender or its organization accepts no chats from outside.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              token: TokenInput,
              name: NameInput.optional(),
              locale: LocaleSchema.optional()
            })
            .strict()
            .openapi('InvitationAccept')
        }
      }
    }
  },
  responses: {
    200: {
      description: 'Joined; open this chat',
      content: {
        'application/json': {
          schema: z.object({ chatId: z.string() }).openapi('InvitationAccepted')
        }
      }
    },
    ...errorResponses(400, 403, 429),
    404: { description: invalidDescription, content: errorResponses(404)[404].content }
  }
});

const refuse = createRoute({
  method: 'post',
  path: '/refuse',
  tags: ['Invitations'],
  summary: 'Refuse invitations from this sender to this address',
  description: 'Single use. The sender is not told.',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: TokenBody } }
    }
  },
  responses: {
    200: {
      description: 'Refused',
      content: {
        'application/json': {
          schema: z.object({ ok: z.literal(true) }).openapi('InvitationRefused')
        }
      }
    },
    ...errorResponses(400, 429),
    404: { description: invalidDescription, content: errorResponses(404)[404].content }
  }
});

export function invitationRoutes(services: Services) {
  const { store } = services;
  return new OpenAPIHono<AppEnv>()
    .openapi(preview, async (c) => {
      const now = services.now();
      await countLinkUse(store, c.var.clientIp, now);
      const { token } = c.req.valid('json');
      return c.json(await previewInvitation(store, { token, signedIn: c.var.signedIn, now }), 200);
    })
    .openapi(accept, async (c) => {
      const now = services.now();
      await countLinkUse(store, c.var.clientIp, now);
      const body = c.req.valid('json');
      const result = await acceptInvitation(services, {
        token: body.token,
        name: body.name,
        locale: body.locale ?? localeFromHeader(c.req.header('accept-language')),
        signedIn: c.var.signedIn,
        now
      });
      if (result.signedIn) {
        setCookie(c, SESSION_COOKIE, result.signedIn.sessionToken, {
          path: '/',
          secure: true,
          httpOnly: true,
          sameSite: 'Lax',
          maxAge: SESSION_LIFETIME_MS / 1000
        });
      }
      return c.json({ chatId: result.chatId }, 200);
    })
    .openapi(refuse, async (c) => {
      const now = services.now();
      await countLinkUse(store, c.var.clientIp, now);
      const { token } = c.req.valid('json');
      await refuseInvitation(services, { token, now });
      return c.json({ ok: true as const }, 200);
    });
}
