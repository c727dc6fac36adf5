// What the benchmark drives the server with: keep-alive HTTP requests, devices that push
// mutations in sequence, and WebSockets that act like a caught-up client.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import type {
  Mutation,
  MutationResult,
  PullResponse,
  PushResponse,
  ServerEvent
} from '../common/protocol.ts';
import type { BenchUser } from './server.ts';

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(origin: string, maxSockets: number) {
    this.url = new URL(origin);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request<T>(method: string, path: string, cookie: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const request = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          headers: {
            cookie,
            ...(payload !== undefined && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload)
            })
          }
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (response.statusCode !== 200) {
              reject(new Error(`${method} ${path} answered ${response.statusCode}: ${text}`));
            } else resolve(JSON.parse(text) as T);
          });
          response.on('error', reject);
        }
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/** One signed-in device: its own id and mutation sequence, pushing one request at a time. */
export class Device {
  readonly id = randomUUID();
  private seq = 0;

  constructor(
    private readonly http: HttpClient,
    readonly user: BenchUser
  ) {}

  send(chatId: string, body: string, messageId: string = randomUUID()): Mutation {
    return {
      id: randomUUID(),
      seq: ++this.seq,
      at: new Date().toISOString(),
      type: 'message.send',
      args: { chatId, messageId, body }
    };
  }

  createDirect(chatId: string, userId: string): Mutation {
    return {
      id: randomUUID(),
      seq: ++this.seq,
      at: new Date().toISOString(),
      type: 'chat.createDirect',
      args: { chatId, userId }
    };
  }

  startExternal(chatId: string, address: string): Mutation {
    return {
      id: randomUUID(),
      seq: ++this.seq,
      at: new Date().toISOString(),
      type: 'chat.startExternal',
      args: { chatId, address }
    };
  }

  async push(mutations: Mutation[]): Promise<MutationResult[]> {
    const response = await this.http.request<PushResponse>(
      'POST',
      '/api/sync/push',
      this.user.cookie,
      {
        deviceId: this.id,
        mutations
      }
    );
    return response.results;
  }

  pull(cursor: number, limit: number): Promise<PullResponse> {
    return this.http.request<PullResponse>(
      'GET',
      `/api/sync/pull?cursor=${cursor}&limit=${limit}`,
      this.user.cookie
    );
  }
}

/** Opens an authenticated WebSocket and resolves on its `hello`. */
export function openSocket(
  origin: string,
  user: BenchUser,
  onEvent: (event: ServerEvent, socket: WebSocket) => void = () => undefined
): Promise<{ socket: WebSocket; cursor: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/api/sync/ws`, {
      headers: { cookie: user.cookie, origin },
      perMessageDeflate: false
    });
    let greeted = false;
    socket.on('message', (data) => {
      const event = JSON.parse((data as Buffer).toString('utf8')) as ServerEvent;
      if (!greeted && event.type === 'hello') {
        greeted = true;
        resolve({ socket, cursor: event.cursor });
      }
      onEvent(event, socket);
    });
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`WebSocket refused with ${response.statusCode}`))
    );
  });
}

export function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}
