// The one error domain code throws for a refused request; routes map its code to an answer.

/** A rule refused the request; `code` is stable and part of the API. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterSeconds?: number
  ) {
    super(message);
  }
}
