// Request guards shared by every /api route: CSRF, client IP, session.
import { getConnInfo } from '@hono/node-server/conninfo';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { findSession } from '../domain/sessions.ts';
import type { AppEnv, Services, SignedInEnv } from './context.ts';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = '__Host-parley_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers label every cross-origin request (and every WebSocket) with its Origin; only ours
 * (the public one, or the one the request was addressed to) is accepted. No Origin: not a browser.
 */
export function isOwnOrigin(
  origin: string | undefined,
  publicOrigin: string,
  requestOrigin: string
): boolean {
  return origin === undefined || origin === publicOrigin || origin === requestOrigin;
}

/**
 * Refuses state-changing requests from other sites. A JSON content type cannot be sent
 * cross-site without a CORS preflight (which this server never grants), and browsers label
 * the request's origin, which must be ours.
 */
export function csrfGuard(publicOrigin: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    if (!isOwnOrigin(c.req.header('origin'), publicOrigin, new URL(c.req.url).origin)) {
      throw new ApiError(403, 'cross_site_request', 'Requests from other sites are refused.');
    }
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      throw new ApiError(403, 'cross_site_request', 'Requests from other sites are refused.');
    }
    const contentType = c.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new ApiError(
        415,
        'unsupported_content_type',
        'Send the request body as JSON (Content-Type: application/json).'
      );
    }
    return next();
  });
}

export function clientIp(trustProxy: boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',').pop()?.trim() : '';
    let socketAddress: string | undefined;
    try {
      socketAddress = getConnInfo(c).remote.address;
    } catch {
      // In-process requests (tests) have no socket.
    }
    c.set('clientIp', forwarded || socketAddress || 'unknown');
    return next();
  });
}

export function loadSession(services: Services) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    c.set('signedIn', token ? await findSession(services.store, token, services.now()) : null);
    return next();
  });
}

export const requireSignedIn = createMiddleware<SignedInEnv>(async (c, next) => {
  if (!c.get('signedIn')) throw new ApiError(401, 'unauthenticated', 'Sign in to continue.');
  return next();
});
