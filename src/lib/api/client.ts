// The one way the app talks to the API: JSON in, JSON out, typed errors, offline told apart. The
// calls go through `hc<ApiType>`, so their bodies and answers are the server's own types.
import { hc } from 'hono/client';
import type { ApiType } from '../../../server/app.ts';
import type { Answer, ErrorBody, MePatch, VerifyRequest } from './types';

/** The server answered with an error (4xx/5xx). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** From Retry-After on 429 answers, when the server sent one. */
    readonly retryAfterSeconds?: number
  ) {
    super(message);
  }
}

/** No answer at all: offline, DNS, connection reset, or the request timed out. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    message: string,
    readonly timedOut = false
  ) {
    super(message);
  }
}

// A hung connection (captive portal, train tunnel) must not leave a spinner turning forever.
const TIMEOUT_MS = 15_000;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** `fetch` as every API call makes it, for `hc` and `request` alike. */
async function apiFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  let body = init.body;
  if (method !== 'GET') {
    // The server refuses state-changing requests that are not application/json (CSRF defence),
    // so every one carries a JSON body, even an empty one.
    headers.set('Content-Type', 'application/json');
    body ??= '{}';
  }
  try {
    return await fetch(input, {
      ...init,
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: AbortSignal.timeout(TIMEOUT_MS)
    });
  } catch (cause) {
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
    throw new NetworkError(cause instanceof Error ? cause.message : String(cause), timedOut);
  }
}

type Answered = Pick<Response, 'ok' | 'status' | 'statusText' | 'headers' | 'text' | 'json'>;

/** A 2xx answer's JSON (undefined when empty or 204); any other answer is thrown as an ApiError. */
async function readAnswer(response: Answered): Promise<unknown> {
  if (response.ok) {
    if (response.status === 204) return undefined;
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }
  throw await toApiError(response);
}

/** A call of `client`, answered with its 2xx body as the server types it. */
export async function answer<R extends Answered>(call: Promise<R>): Promise<Answer<R>> {
  return (await readAnswer(await call)) as Answer<R>;
}

/** A request by path, for callers with a contract of their own (the sync transport). */
export async function request<T>(method: Method, path: string, body?: object): Promise<T> {
  const init: RequestInit = { method };
  if (method !== 'GET') init.body = JSON.stringify(body ?? {});
  return (await readAnswer(await apiFetch(path, init))) as T;
}

const API_BASE = '/api';

/** Every route under /api, typed by the server (`import type` only: no server code ships). */
export const client = hc<ApiType>(API_BASE, { fetch: apiFetch });

/** A path of `client` as a same-origin URL, for links (`$path` leaves out the base). */
export const apiUrl = (path: string) => `${API_BASE}${path}`;

async function toApiError(response: Answered): Promise<ApiError> {
  const retryAfter =
    response.status === 429 ? parseRetryAfter(response.headers.get('Retry-After')) : undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page or an empty body: keep the status, invent a generic code.
  }
  if (isErrorBody(body)) {
    const { code, message, details } = body.error;
    return new ApiError(response.status, code, message, details, retryAfter);
  }
  return new ApiError(
    response.status,
    'http_error',
    response.statusText || `HTTP ${response.status}`,
    undefined,
    retryAfter
  );
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/** Retry-After is either delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The region the browser says it is in (`fr-FR` → `FR`), so that a signed-out person can type a
 * national phone number; without one, numbers need their `+country` code.
 */
export function browserRegion(): string | undefined {
  for (const tag of navigator.languages ?? [navigator.language]) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && /^[A-Z]{2}$/.test(region)) return region;
    } catch {
      // Malformed language tags are skipped.
    }
  }
  return undefined;
}

export const api = {
  requestCode: (address: string) =>
    answer(client.auth.code.$post({ json: { address, region: browserRegion() } })),
  verify: (body: VerifyRequest) =>
    answer(client.auth.verify.$post({ json: { ...body, region: browserRegion() } })),
  me: () => answer(client.me.$get()),
  updateMe: (patch: MePatch) => answer(client.me.$patch({ json: patch })),
  signOut: () => answer(client.auth['sign-out'].$post({ json: {} })),
  signOutAll: () => answer(client.auth['sign-out-all'].$post({ json: {} })),
  // Invitation links (docs/external-contacts.md): the token comes from the link's #fragment.
  previewInvitation: (token: string) =>
    answer(client.invitations.preview.$post({ json: { token } })),
  /** Signed out, it also signs in (creating a personal account: `name` needed) and sets the cookie. */
  acceptInvitation: (token: string, name?: string) =>
    answer(client.invitations.accept.$post({ json: { token, name } })),
  refuseInvitation: (token: string) => answer(client.invitations.refuse.$post({ json: { token } }))
};
