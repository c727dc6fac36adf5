// The token of an invitation link. It travels in the #fragment (`/join#token=…`) so that it never
// reaches server logs or Referer headers; the page reads it and sends it in a POST body.

/** The token in `hash` (`#token=…`), or null when the link was cut short or mangled. */
export function invitationToken(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token')?.trim();
  // base64url only: anything else is a broken copy, not worth a request.
  return token && /^[A-Za-z0-9_-]{16,}$/.test(token) ? token : null;
}
