// The Content-Security-Policy: scripts only from this origin or, for the app shell, the inline
// bootstrap SvelteKit writes into index.html (allowed by its hash); connections only back here.
import { createHash } from 'node:crypto';

/** `'sha256-…'` sources for every inline `<script>` of a page (those with `src` load from 'self'). */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const [, attributes = '', body = ''] = match;
    if (/\ssrc\s*=/i.test(` ${attributes}`)) continue;
    hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

/** A Host header fit to name in a policy: a hostname or IP literal and an optional port. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The WebSocket origins of this server: the public one and, when the page was reached under
 * another host (a LAN address in development), that one too — the hub accepts both.
 */
function socketSources(publicUrl: string, requestUrl: string | undefined): string[] {
  const toSocket = (url: URL) => `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
  const sources = [toSocket(new URL(publicUrl))];
  if (requestUrl) {
    const url = new URL(requestUrl);
    if (HOST.test(url.host)) sources.push(toSocket(url));
  }
  return [...new Set(sources)];
}

export function contentSecurityPolicy(options: {
  publicUrl: string;
  requestUrl?: string;
  scriptHashes?: string[];
}): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", ...(options.scriptHashes ?? [])]],
    // Svelte sets inline styles (transitions, positions); styles cannot run code.
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['connect-src', ["'self'", ...socketSources(options.publicUrl, options.requestUrl)]],
    ['manifest-src', ["'self'"]],
    ['worker-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'self'"]]
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
