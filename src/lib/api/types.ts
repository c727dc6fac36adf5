// The API's requests and answers as the client sees them: read off the server's routes
// (`ApiType`, types only), so that a change there is a compile error here, not a surprise.
import type { ClientResponse, hc, InferRequestType } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
import type { ApiType } from '../../../server/app.ts';

export type { ErrorBody } from '../../../server/http/errors.ts';

/** The typed client of every route under /api. */
export type Api = ReturnType<typeof hc<ApiType>>;

/** The body of a 2xx answer; undefined for one without JSON (204). */
export type Answer<R> =
  R extends ClientResponse<infer T, infer S, infer F>
    ? S extends SuccessStatusCode
      ? F extends 'json'
        ? T
        : undefined
      : never
    : never;

type Call = (...args: never[]) => Promise<unknown>;
/** What a call of the typed client answers on success. */
export type AnswerOf<F extends Call> = Answer<Awaited<ReturnType<F>>>;
/** The JSON body a call of the typed client sends. */
export type BodyOf<F> = InferRequestType<F> extends { json: infer B } ? B : never;
/** The query string a call of the typed client sends, as strings. */
export type QueryOf<F> = InferRequestType<F> extends { query: infer Q } ? Q : never;

/** The profile as GET /api/me sends it. */
export type Profile = AnswerOf<Api['me']['$get']>;

/**
 * The profile as the device holds it: `requestsAllowed` and `requestCap` are absent in profiles
 * cached before the server sent them (treat as on, and as the chat's own cap).
 */
export type Me = Omit<Profile, 'requestsAllowed' | 'requestCap'> &
  Partial<Pick<Profile, 'requestsAllowed' | 'requestCap'>>;

export type Locale = NonNullable<Profile['locale']>;

export type MePatch = BodyOf<Api['me']['$patch']>;

/** The region is the browser's, added by the client. */
export type VerifyRequest = Omit<BodyOf<Api['auth']['verify']['$post']>, 'region'>;

/** POST /api/invitations/preview: what the invitation link says, before joining or refusing. */
export type InvitationPreview = AnswerOf<Api['invitations']['preview']['$post']>;

/** A person found by GET /api/directory. */
export type Person = AnswerOf<Api['directory']['$get']>['people'][number];
