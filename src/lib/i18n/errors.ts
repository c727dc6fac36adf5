// Turns any failure into a sentence for the user, chosen by error code.
import { ApiError, NetworkError } from '$lib/api/client';
import { checkDisplayName } from '$common/display-name';
import { formatIn, isMessageKey, t } from './index';

/**
 * A typed name against the server's rule, checked here first so nothing is sent for it:
 * `problem` is the sentence saying why it cannot be a name, else null and `name` is the form
 * the server will store. The field itself keeps what was typed.
 */
export function checkName(input: string): { name: string; problem: string | null } {
  const result = checkDisplayName(input);
  return result.ok
    ? { name: result.name, problem: null }
    : { name: input.trim(), problem: t(`error.${result.code}`) };
}

/** The server refused the name itself (`name_required`, `name_too_long`, …). */
export const isNameError = (error: unknown) =>
  error instanceof ApiError && error.code.startsWith('name_');

function reasonOf(details: unknown): string | undefined {
  if (typeof details === 'object' && details !== null && 'reason' in details) {
    return typeof details.reason === 'string' ? details.reason : undefined;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof NetworkError) {
    return t(error.timedOut ? 'error.timeout' : 'error.offline');
  }
  if (!(error instanceof ApiError)) return t('error.server');

  if (error.code === 'rate_limited' || error.status === 429) {
    return error.retryAfterSeconds
      ? t('error.rate_limited', { when: formatIn(error.retryAfterSeconds) })
      : t('error.rate_limited.noWait');
  }
  const reason = reasonOf(error.details);
  const specific = reason ? `error.${error.code}.${reason}` : undefined;
  if (specific && isMessageKey(specific)) return t(specific);
  const general = `error.${error.code}`;
  if (isMessageKey(general)) return t(general);
  if (error.status === 401) return t('error.unauthenticated');
  if (error.status === 403) return t('error.forbidden');
  if (error.status >= 500 || error.code === 'http_error') return t('error.server');
  // A code this version does not know yet: the server's own words beat a vague sentence.
  return error.message || t('error.server');
}
