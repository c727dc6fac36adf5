// The one way the app talks to the API: JSON in, JSON out, typed errors, offline told apart.
import type {
  CodeSent,
  ErrorBody,
  InvitationPreview,
  Me,
  MePatch,
  VerifyRequest,
  VerifyResult
} from './types';

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

export async function request<T>(method: Method, path: string, body?: object): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(TIMEOUT_MS)
  };
  if (method !== 'GET') {
    // The server refuses state-changing requests that are not application/json (CSRF defence),
    // so every one carries a JSON body, even an empty one.
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
    throw new NetworkError(cause instanceof Error ? cause.message : String(cause), timedOut);
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  throw await toApiError(response);
}

async function toApiError(response: Response): Promise<ApiError> {
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
    request<CodeSent>('POST', '/api/auth/code', { address, region: browserRegion() }),
  verify: (body: VerifyRequest) =>
    request<VerifyResult>('POST', '/api/auth/verify', { ...body, region: browserRegion() }),
  me: () => request<Me>('GET', '/api/me'),
  updateMe: (patch: MePatch) => request<Me>('PATCH', '/api/me', patch),
  signOut: () => request<void>('POST', '/api/auth/sign-out'),
  signOutAll: () => request<void>('POST', '/api/auth/sign-out-all'),
  // Invitation links (docs/external-contacts.md): the token comes from the link's #fragment.
  previewInvitation: (token: string) =>
    request<InvitationPreview>('POST', '/api/invitations/preview', { token }),
  /** Signed out, it also signs in (creating a personal account: `name` needed) and sets the cookie. */
  acceptInvitation: (token: string, name?: string) =>
    request<{ chatId: string }>('POST', '/api/invitations/accept', { token, name }),
  refuseInvitation: (token: string) =>
    request<{ ok: true }>('POST', '/api/invitations/refuse', { token })
};
