// The development outbox: email and SMS that would have been sent, for a developer to read.
// Mounted only outside production and only for channels without a real provider.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { desc, eq, and, type SQL } from 'drizzle-orm';
import type { Services } from '../http/context.ts';
import { tables } from '../store/index.ts';

const PAGE_SIZE = 50;

export function devOutboxRoutes(services: Services) {
  const { devOutbox } = tables;
  const latest = (recipient: string | undefined) => {
    const filters: SQL[] = [];
    if (recipient) filters.push(eq(devOutbox.recipient, recipient));
    return services.store.db
      .select()
      .from(devOutbox)
      .where(filters.length ? and(...filters) : undefined)
      .orderBy(desc(devOutbox.createdAt))
      .limit(PAGE_SIZE);
  };

  return new Hono()
    .get('/outbox.json', async (c) => c.json({ messages: await latest(c.req.query('to')) }))
    .get('/outbox', async (c) => {
      const messages = await latest(c.req.query('to'));
      return c.html(
        html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Parley — development outbox</title>
              <style>
                body {
                  font:
                    15px/1.5 system-ui,
                    sans-serif;
                  margin: 1rem auto;
                  max-width: 48rem;
                  padding: 0 1rem;
                }
                article {
                  border: 1px solid #ccd;
                  border-radius: 8px;
                  padding: 0.75rem 1rem;
                  margin: 0.75rem 0;
                }
                pre {
                  white-space: pre-wrap;
                  margin: 0.5rem 0 0;
                }
                small {
                  color: #555;
                }
              </style>
            </head>
            <body>
              <h1>Development outbox</h1>
              <p>
                Email and SMS Parley would have sent, newest first (last ${PAGE_SIZE}). Set SMTP_URL
                and the SMS settings to send them for real.
              </p>
              ${messages.length === 0 ? html`<p>Nothing sent yet.</p>` : ''}
              ${messages.map(
                (m) =>
                  html`<article>
                    <small
                      >${m.channel.toUpperCase()} to <strong>${m.recipient}</strong> ·
                      ${m.createdAt.toISOString()}</small
                    >
                    ${m.subject ? html`<h2>${m.subject}</h2>` : ''}
                    <pre>${m.body}</pre>
                  </article>`
              )}
            </body>
          </html>`
      );
    });
}
