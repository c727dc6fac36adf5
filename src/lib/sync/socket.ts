// The real-time channel: one WebSocket to /api/sync/ws, reopened with backoff and jitter whenever it
// drops, so a flapping network only delays changes (the engine pulls on every connect).
import { backoffDelay, realClock, type Clock } from './backoff';
import type { ClientEvent, ServerEvent } from '$common/protocol';

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface LiveSocketOptions {
  url: () => string;
  create?: (url: string) => SocketLike;
  onEvent: (event: ServerEvent) => void;
  onOpen?: () => void;
  onClose?: () => void;
  clock?: Clock;
  /** Longest wait between two attempts. */
  maxDelayMs?: number;
}

const OPEN = 1;

export function isServerEvent(value: unknown): value is ServerEvent {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  switch (value.type) {
    case 'hello':
    case 'poke':
      return 'cursor' in value && typeof value.cursor === 'number';
    case 'changes':
      return 'after' in value && 'changes' in value && Array.isArray(value.changes);
    default:
      return false;
  }
}

export class LiveSocket {
  #options: LiveSocketOptions;
  #clock: Clock;
  #socket: SocketLike | null = null;
  #timer: unknown = null;
  #attempt = 0;
  #running = false;

  constructor(options: LiveSocketOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  get connected(): boolean {
    return this.#socket?.readyState === OPEN;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this.#reportVisibility);
    }
    this.#connect();
  }

  /** Tells the server whether this page shows: it pushes notifications only to hidden ones. */
  #reportVisibility = () => {
    if (typeof document === 'undefined') return;
    this.send({ type: 'visibility', visible: document.visibilityState === 'visible' });
  };

  stop(): void {
    this.#running = false;
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this.#reportVisibility);
    }
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000, 'stopped');
    }
  }

  /** Reconnect now (the network just came back), forgetting the backoff. */
  reconnectNow(): void {
    if (!this.#running || this.connected) return;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    this.#connect();
  }

  send(event: ClientEvent): void {
    if (this.connected) this.#socket?.send(JSON.stringify(event));
  }

  #connect(): void {
    if (!this.#running) return;
    const create = this.#options.create ?? ((url: string) => new WebSocket(url) as SocketLike);
    let socket: SocketLike;
    try {
      socket = create(this.#options.url());
    } catch {
      this.#retry();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      this.#reportVisibility();
      this.#options.onOpen?.();
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let event: unknown;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!isServerEvent(event)) return;
      // The server accepted us: the next drop starts the backoff from the beginning.
      if (event.type === 'hello') this.#attempt = 0;
      this.#options.onEvent(event);
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#options.onClose?.();
      this.#retry();
    };
  }

  #retry(): void {
    if (!this.#running) return;
    const delay = backoffDelay(
      this.#attempt++,
      this.#clock.random,
      1000,
      this.#options.maxDelayMs ?? 30_000
    );
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }
}
