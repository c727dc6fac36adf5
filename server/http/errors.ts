// API errors: one JSON shape, `{"error":{"code","message"}}`, with stable codes clients can branch on.
import { z } from '@hono/zod-openapi';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number
  ) {
    super(message);
  }
}

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'The request body is not valid.' }),
      details: z.unknown().optional()
    })
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof ErrorSchema>;

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const descriptions = {
  400: 'The request is malformed or breaks a rule',
  401: 'Not signed in',
  403: 'Signed in, but not allowed',
  404: 'No such resource (or not visible to you)',
  429: 'Too many requests; see Retry-After'
} as const;

type ErrorResponse = {
  description: string;
  content: { 'application/json': { schema: typeof ErrorSchema } };
};

/** OpenAPI entries for the error statuses a route can answer. */
export function errorResponses<S extends keyof typeof descriptions>(...statuses: S[]) {
  const responses = {} as Record<S, ErrorResponse>;
  for (const status of statuses) {
    responses[status] = {
      description: descriptions[status],
      content: { 'application/json': { schema: ErrorSchema } }
    };
  }
  return responses;
}
