// A real HTTP server on loopback (for the WebSocket, where the socket is the point), and a
// WebSocket client that queues what it receives.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import WebSocket from 'ws';
import type { ServerEvent } from '../../common/protocol.ts';
import { createApp } from '../../server/app.ts';
import type { Services } from '../../server/http/context.ts';
import { startRealtime, type RealtimeOptions } from '../../server/realtime/hub.ts';

export type LiveServer = Awaited<ReturnType<typeof serveLive>>;

/** The whole app with its real-time hub, listening on 127.0.0.1 on a free port. */
export async function serveLive(services: Services, options: RealtimeOptions = {}) {
  const app = createApp(services);
  const realtime = await startRealtime(services, options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started)
    );
  });
  server.on('upgrade', realtime.handleUpgrade);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    app,
    realtime,
    origin,
    wsUrl: `ws://127.0.0.1:${port}/api/sync/ws`,
    async close() {
      await realtime.close();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}

/** A device's WebSocket: events are queued until a test takes them with `next`. */
export class LiveSocket {
  private readonly queue: ServerEvent[] = [];
  private waiting: ((event: ServerEvent) => void) | null = null;
  /** Every event received, in order, whether or not a test took it. */
  readonly received: ServerEvent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const event = JSON.parse((data as Buffer).toString('utf8')) as ServerEvent;
      this.received.push(event);
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(event);
      } else this.queue.push(event);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) }))
    );
  }

  /** Opens a socket as a browser would: the session cookie and an Origin. */
  static open(url: string, headers: Record<string, string>): Promise<LiveSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.once('open', () => resolve(new LiveSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.on('end', () =>
          reject(new Error(`upgrade refused with ${response.statusCode} ${body}`))
        );
      });
      socket.once('error', reject);
    });
  }

  /** The next event received (waiting for it if need be). */
  next(): Promise<ServerEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Skips events until one of `type` arrives. */
  async nextOf<T extends ServerEvent['type']>(type: T): Promise<Extract<ServerEvent, { type: T }>> {
    for (;;) {
      const event = await this.next();
      if (event.type === type) return event as Extract<ServerEvent, { type: T }>;
    }
  }

  ack(cursor: number) {
    this.socket.send(JSON.stringify({ type: 'ack', cursor }));
  }

  close() {
    this.socket.close();
  }
}
