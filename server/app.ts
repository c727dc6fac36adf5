// The whole HTTP surface: the API under /api, the dev outbox, and the built client for every
// other path.
import fs from 'node:fs';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context } from 'hono';
import { compress } from 'hono/compress';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { DomainError } from './domain/errors.ts';
import { ADMIN_ERROR_STATUS } from './domain/admin/access.ts';
import { usesDevOutbox } from './config.ts';
import { limitBody } from './http/body.ts';
import { contentSecurityPolicy, inlineScriptHashes } from './http/csp.ts';
import type { AppEnv, Services } from './http/context.ts';
import { ApiError, errorBody } from './http/errors.ts';
import { clientIp, csrfGuard, loadSession } from './http/guards.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { chatRoutes } from './routes/chats.ts';
import { devOutboxRoutes } from './routes/dev-outbox.ts';
import { directoryRoutes } from './routes/directory.ts';
import { healthRoutes } from './routes/health.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { meRoutes } from './routes/me.ts';
import { pushRoutes } from './routes/push.ts';
import { syncRoutes } from './routes/sync.ts';
import { VERSION } from './version.ts';

const MAX_BODY_BYTES = 256 * 1024;
/** A push carries up to 100 messages of 4,000 characters (JSON-escaped). */
const MAX_PUSH_BODY_BYTES = 4 * 1024 * 1024;
const PUSH_PATH = '/api/sync/push';

/** Status codes a domain refusal maps to; anything else is a 400. */
const DOMAIN_STATUS: Record<string, ApiError['status']> = {
  ...ADMIN_ERROR_STATUS,
  rate_limited: 429,
  sign_in_locked: 429,
  device_taken: 409,
  invitation_invalid: 404,
  invitation_address_mismatch: 403,
  invitation_unavailable: 403,
  account_removed: 403
};

function toErrorResponse(error: unknown, c: Context): Response {
  if (error instanceof DomainError) {
    error = new ApiError(
      DOMAIN_STATUS[error.code] ?? 400,
      error.code,
      error.message,
      error.details,
      error.retryAfterSeconds
    );
  }
  if (error instanceof ApiError) {
    if (error.retryAfterSeconds !== undefined) {
      c.header('Retry-After', String(error.retryAfterSeconds));
    }
    return c.json(errorBody(error.code, error.message, error.details), error.status);
  }
  if (error instanceof HTTPException) {
    // Hono's own validators throw these, e.g. for a body that is not JSON at all.
    const status = error.status;
    const code =
      status === 400 ? 'invalid_json' : status === 413 ? 'payload_too_large' : 'http_error';
    return c.json(errorBody(code, error.message || 'The request could not be read.'), status);
  }
  console.error('[api] unexpected error', error);
  return c.json(errorBody('internal_error', 'Something went wrong on our side. Try again.'), 500);
}

export function createApi(services: Services) {
  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message
      }));
      const summary = issues
        .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
        .join('; ');
      return c.json(errorBody('invalid_request', `Invalid request. ${summary}`, { issues }), 400);
    }
  });
  api.use(limitBody((path) => (path === PUSH_PATH ? MAX_PUSH_BODY_BYTES : MAX_BODY_BYTES)));
  api.use(csrfGuard(services.config.publicUrl));
  api.use(clientIp(services.config.trustProxy));
  api.use(loadSession(services));

  const { sync } = services;

  const routes = api
    .route('/', healthRoutes(services))
    .route('/auth', authRoutes(services))
    .route('/me', meRoutes(services))
    .route('/sync', syncRoutes(sync))
    .route('/chats', chatRoutes(sync))
    .route('/directory', directoryRoutes(services))
    .route('/invitations', invitationRoutes(services))
    .route('/push', pushRoutes(services))
    .route('/admin', adminRoutes(services));

  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-parley_session'
  });
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Parley API',
      version: VERSION,
      description:
        'Errors are `{"error":{"code","message"}}`. State-changing requests must be JSON and same-origin.'
    },
    servers: [{ url: '/api' }]
  });
  api.onError(toErrorResponse);
  return routes;
}

/** The routes' types for the client's `hc<ApiType>` (src/lib/api/client.ts): import as a type only. */
export type ApiType = ReturnType<typeof createApi>;

export type AppOptions = {
  /** The built client (SvelteKit static output); omitted in API-only tests. */
  clientDir?: string;
};

export function createApp(services: Services, options: AppOptions = {}) {
  const app = new OpenAPIHono();
  app.use(compress());
  const { publicUrl } = services.config;
  app.use(
    secureHeaders({
      strictTransportSecurity: publicUrl.startsWith('https:')
        ? 'max-age=31536000; includeSubDomains'
        : false
    })
  );
  // Every answer carries the policy; the app shell sets its own, with its inline script's hash.
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('Content-Security-Policy')) {
      c.header(
        'Content-Security-Policy',
        contentSecurityPolicy({ publicUrl, requestUrl: c.req.url })
      );
    }
  });
  app.route('/api', createApi(services));
  app.all('/api/*', (c) =>
    c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}.`), 404)
  );
  if (usesDevOutbox(services.config)) {
    app.route('/dev', devOutboxRoutes(services));
  }
  if (options.clientDir) mountClient(app, options.clientDir, publicUrl);
  app.onError(toErrorResponse);
  return app;
}

function mountClient(app: OpenAPIHono, clientDir: string, publicUrl: string) {
  const root = path.relative(process.cwd(), clientDir) || '.';
  const indexHtml = path.join(clientDir, 'index.html');
  app.use('*', async (c, next) => {
    // Hashed build assets never change; everything else must be revalidated so that the
    // service worker and index.html pick up a new version.
    c.header(
      'Cache-Control',
      c.req.path.startsWith('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
    );
    return next();
  });
  // The shell, wherever it is asked for, with the hash of the inline bootstrap SvelteKit wrote
  // into it: read per request, so a rebuild is served without a restart.
  const shell = async (c: Context) => {
    const html = await fs.promises.readFile(indexHtml, 'utf8').catch(() => null);
    if (html === null) return c.text('The client is not built: run `npm run build`.', 503);
    c.header(
      'Content-Security-Policy',
      contentSecurityPolicy({
        publicUrl,
        requestUrl: c.req.url,
        scriptHashes: inlineScriptHashes(html)
      })
    );
    return c.html(html);
  };
  app.get('/', shell);
  app.get('/index.html', shell);
  app.use('*', serveStatic({ root }));
  // A missing file (`/favicon.ico`, `/robots.txt` of an old build) is a 404, not the app.
  app.get('*', (c) => (/\.[a-z0-9]+$/i.test(c.req.path) ? c.text('Not found', 404) : shell(c)));
}
