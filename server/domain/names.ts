// People's names at the server's edges: refused on write with a stable code, cleaned on read.
import { checkDisplayName, type NameErrorCode } from '../../common/display-name.ts';
import { MAX_NAME_LENGTH } from '../../common/limits.ts';
import { DomainError } from './errors.ts';

export { sanitizeDisplayName, isDisplayName } from '../../common/display-name.ts';

const messages: Record<NameErrorCode, string> = {
  name_empty: 'Enter your name.',
  name_too_long: `Use at most ${MAX_NAME_LENGTH} characters for your name.`,
  name_invisible_characters:
    'Your name has invisible or direction-changing characters. Type it again without them.',
  name_contains_url: 'A name cannot contain a web address.',
  name_contains_email: 'A name cannot contain an email address.',
  name_contains_phone: 'A name cannot contain a phone number.'
};

/** The form of a name to store (NFC, spaces collapsed, trimmed), or a DomainError saying why not. */
export function readDisplayName(input: string): string {
  const result = checkDisplayName(input);
  if (!result.ok) throw new DomainError(result.code, messages[result.code]);
  return result.name;
}
