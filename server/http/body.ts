// Request bodies with a size limit. On Node the body is read straight from the incoming
// message: the web `Request` the adapter would otherwise build to read it costs more than a
// whole small API call. Elsewhere (in-process tests) Hono's own body limit does the same job.
import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

const tooLarge = (c: Context) =>
  c.json(errorBody('payload_too_large', 'The request body is too large.'), 413);

async function readLimited(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** Refuses bodies over `maxBytes(path)` with 413, and reads the others once, up front. */
export function limitBody(maxBytes: (path: string) => number) {
  const fallbacks = new Map<number, ReturnType<typeof bodyLimit>>();
  const fallback = (max: number) => {
    let middleware = fallbacks.get(max);
    if (!middleware) {
      middleware = bodyLimit({ maxSize: max, onError: tooLarge });
      fallbacks.set(max, middleware);
    }
    return middleware;
  };
  return createMiddleware<AppEnv>(async (c, next: Next) => {
    const max = maxBytes(c.req.path);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming) return fallback(max)(c, next);
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (Number(c.req.header('content-length') ?? 0) > max) return tooLarge(c);
    const body = await readLimited(incoming, max);
    if (body === null) return tooLarge(c);
    // Hono reads `c.req.json()` and friends from this cache before touching the raw request.
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(body.toString('utf8'));
    return next();
  });
}
