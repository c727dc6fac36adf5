// Sign-up and sign-in with a one-time code sent by email or SMS; sign-out.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { readAddress } from '../domain/accounts.ts';
import { requestSignInCode, verifySignInCode } from '../domain/sign-in.ts';
import { revokeAllSessions, revokeSession, SESSION_LIFETIME_MS } from '../domain/sessions.ts';
import type { AppEnv, Services } from '../http/context.ts';
import { errorResponses, ErrorSchema } from '../http/errors.ts';
import { requireSignedIn, SESSION_COOKIE } from '../http/guards.ts';
import { localeFromHeader } from '../messaging/templates.ts';
import { LocaleSchema, MeSchema, NameInput, toMe } from './me.ts';

const AddressInput = z.string().max(320).openapi({ example: 'alice@contoso.test' });
const RegionInput = z
  .string()
  .regex(/^[A-Z]{2}$/)
  .optional()
  .openapi({ description: 'Region to read a national phone number with, e.g. FR', example: 'FR' });

const requestCode = createRoute({
  method: 'post',
  path: '/code',
  tags: ['Sign-in'],
  summary: 'Send a one-time sign-in code to an email address or phone number',
  description:
    'Always answers the same for a well-formed address, whether or not it has an account.',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ address: AddressInput, region: RegionInput, locale: LocaleSchema.optional() })
            .openapi('CodeRequest')
        }
      }
    }
  },
  responses: {
    202: {
      description: 'A code is on its way',
      content: {
        'application/json': {
          schema: z
            .object({ status: z.literal('sent'), expiresInSeconds: z.number().int() })
            .openapi('CodeSent')
        }
      }
    },
    ...errorResponses(400, 429)
  }
});

const verifyCode = createRoute({
  method: 'post',
  path: '/verify',
  tags: ['Sign-in'],
  summary: 'Sign in (or sign up) with the code',
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              address: AddressInput,
              region: RegionInput,
              code: z.string().regex(/^\d{6}$/, 'must be 6 digits'),
              name: NameInput.optional(),
              locale: LocaleSchema.optional()
            })
            .openapi('VerifyRequest')
        }
      }
    }
  },
  responses: {
    200: {
      description:
        'Signed in (a session cookie is set), or the address has no account yet and a name is needed',
      content: {
        'application/json': {
          schema: z
            .discriminatedUnion('status', [
              z.object({ status: z.literal('signed_in'), user: MeSchema }),
              z.object({ status: z.literal('name_required') })
            ])
            .openapi('VerifyResult')
        }
      }
    },
    ...errorResponses(400, 403, 429),
    403: {
      description:
        'An admin removed the account: its address no longer signs in (`account_removed`)',
      content: { 'application/json': { schema: ErrorSchema } }
    }
  }
});

const SignOutBody = {
  required: false,
  content: { 'application/json': { schema: z.object({}).openapi('Empty') } }
};

const signOut = createRoute({
  method: 'post',
  path: '/sign-out',
  tags: ['Sign-in'],
  summary: 'Sign out of this device',
  request: { body: SignOutBody },
  responses: { 204: { description: 'Signed out' } }
});

const signOutEverywhere = createRoute({
  method: 'post',
  path: '/sign-out-all',
  tags: ['Sign-in'],
  summary: 'Sign out of every device',
  middleware: [requireSignedIn] as const,
  request: { body: SignOutBody },
  responses: { 204: { description: 'Every session ended' }, ...errorResponses(401) }
});

function setSessionCookie(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: SESSION_LIFETIME_MS / 1000
  });
}

function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
}

export function authRoutes(services: Services) {
  const accounts = () => ({
    store: services.store,
    notifier: services.notifier,
    feed: services.feed,
    secretKey: services.secretKey,
    rules: {
      smsCountries: services.config.smsCountries,
      smsPerCallingCodeDay: services.config.signInSmsPerCallingCodeDay
    }
  });
  return new OpenAPIHono<AppEnv>()
    .openapi(requestCode, async (c) => {
      const body = c.req.valid('json');
      const result = await requestSignInCode(accounts(), {
        address: readAddress(body.address, body.region),
        ip: c.var.clientIp,
        locale: body.locale ?? localeFromHeader(c.req.header('accept-language')),
        now: services.now()
      });
      return c.json({ status: 'sent' as const, ...result }, 202);
    })
    .openapi(verifyCode, async (c) => {
      const body = c.req.valid('json');
      const result = await verifySignInCode(accounts(), {
        address: readAddress(body.address, body.region),
        code: body.code,
        name: body.name,
        locale: body.locale ?? localeFromHeader(c.req.header('accept-language')),
        previousSessionHash: c.var.signedIn?.tokenHash ?? null,
        now: services.now()
      });
      if (result.status === 'name_required') return c.json({ status: result.status }, 200);
      // Rotation ended the session this browser had before: its sockets close too.
      const previous = c.var.signedIn?.tokenHash;
      if (previous) await services.endSessions({ tokenHashes: [previous] });
      setSessionCookie(c, result.sessionToken);
      return c.json({ status: result.status, user: toMe(result.user, result.organization) }, 200);
    })
    .openapi(signOut, async (c) => {
      const session = c.var.signedIn;
      if (session) {
        await services.store.tx((tx) => revokeSession(tx, session.tokenHash));
        await services.endSessions({ tokenHashes: [session.tokenHash] });
      }
      clearSessionCookie(c);
      return c.body(null, 204);
    })
    .openapi(signOutEverywhere, async (c) => {
      const userId = c.var.signedIn.user.id;
      await services.store.tx((tx) => revokeAllSessions(tx, userId));
      await services.endSessions({ userIds: [userId] });
      clearSessionCookie(c);
      return c.body(null, 204);
    });
}
