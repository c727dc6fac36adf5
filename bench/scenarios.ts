// The measurements. Every loop stops at a message count or a deadline, whichever comes first.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import type { Change, Mutation, ServerEvent } from '../common/protocol.ts';
import { closeSocket, Device, openSocket, type HttpClient } from './client.ts';
import type { BenchServer, BenchUser } from './server.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Pair = { sender: Device; receiver: Device; chatId: string };

/** 1:1 chats between consecutive people, created through the API. */
export async function makePairs(http: HttpClient, people: BenchUser[]): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i + 1 < people.length; i += 2) {
    const sender = new Device(http, people[i] as BenchUser);
    const receiver = new Device(http, people[i + 1] as BenchUser);
    const chatId = randomUUID();
    const [result] = await sender.push([sender.createDirect(chatId, receiver.user.id)]);
    if (result?.status !== 'applied')
      throw new Error(`could not create a chat: ${JSON.stringify(result)}`);
    pairs.push({ sender, receiver, chatId });
  }
  return pairs;
}

/**
 * Committed messages per second: every pair's sender pushes `perPush` messages per request, one
 * request at a time, all senders at once. Only `applied` answers count.
 */
export async function pushThroughput(
  pairs: Pair[],
  perPush: number,
  limits: { maxMessages: number; maxMs: number }
): Promise<number> {
  let started = 0;
  let accepted = 0;
  const start = performance.now();
  const deadline = start + limits.maxMs;
  await Promise.all(
    pairs.map(async ({ sender, chatId }) => {
      while (started < limits.maxMessages && performance.now() < deadline) {
        started += perPush;
        const batch = Array.from({ length: perPush }, () =>
          sender.send(chatId, 'benchmark message')
        );
        const results = await sender.push(batch);
        accepted += results.filter((r) => r.status === 'applied').length;
      }
    })
  );
  return accepted / ((performance.now() - start) / 1000);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** A receiving device: caught up, acks what it applies, pulls on a poke, as the client does. */
class Receiver {
  cursor = 0;
  socket: WebSocket | null = null;
  private pulling: Promise<void> | null = null;
  private pullAgain = false;

  constructor(
    private readonly device: Device,
    private readonly onMessage: (change: Change) => void
  ) {}

  async connect(origin: string) {
    const { socket } = await openSocket(origin, this.device.user, (event, ws) =>
      this.onEvent(event, ws)
    );
    this.socket = socket;
    await this.pull();
  }

  private onEvent(event: ServerEvent, socket: WebSocket) {
    if (event.type === 'changes' && event.after === this.cursor && this.pulling === null) {
      for (const change of event.changes) this.onMessage(change);
      this.cursor = event.changes.at(-1)?.cursor ?? this.cursor;
      socket.send(JSON.stringify({ type: 'ack', cursor: this.cursor }));
    } else if (event.type !== 'hello') {
      void this.pull();
    }
  }

  pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.pullAgain = false;
        for (;;) {
          const page = await this.device.pull(this.cursor, 1000);
          for (const change of page.changes) this.onMessage(change);
          this.cursor = page.cursor;
          if (!page.hasMore) break;
        }
      } while (this.pullAgain);
      this.socket?.send(JSON.stringify({ type: 'ack', cursor: this.cursor }));
      this.pulling = null;
    })();
    return this.pulling;
  }
}

/**
 * Push → the other device has it over its WebSocket: senders push on a fixed schedule (`rate`
 * messages per second spread over the pairs); latency runs from the scheduled time (so a
 * server that falls behind is not flattered) to the message reaching the receiver.
 */
export async function endToEndLatency(
  server: BenchServer,
  pairs: Pair[],
  options: { rate: number; maxMessages: number; maxMs: number }
): Promise<{ p50: number; p99: number; delivered: number; scheduled: number }> {
  const due = new Map<string, number>();
  const latencies: number[] = [];
  const receivers = pairs.map(
    (pair) =>
      new Receiver(pair.receiver, (change) => {
        if (change.type !== 'message') return;
        const scheduled = due.get(change.message.id);
        if (scheduled === undefined) return;
        due.delete(change.message.id);
        latencies.push(performance.now() - scheduled);
      })
  );
  await Promise.all(receivers.map((r) => r.connect(server.origin)));

  // Each sender pushes one request at a time (its sequence must arrive in order); messages that
  // come due meanwhile go out together in its next push, as a device's outbox would.
  const queues = pairs.map(() => [] as Mutation[]);
  const busy = pairs.map(() => false);
  const inFlight = new Set<Promise<void>>();
  const flush = (i: number) => {
    const queue = queues[i] as Mutation[];
    if (busy[i] || queue.length === 0) return;
    busy[i] = true;
    const batch = queue.splice(0, queue.length);
    const pushing = (pairs[i] as Pair).sender.push(batch).then(() => {
      busy[i] = false;
      inFlight.delete(pushing);
      flush(i);
    });
    inFlight.add(pushing);
  };

  const interval = 1000 / options.rate;
  const start = performance.now();
  let scheduled = 0;
  while (scheduled < options.maxMessages && performance.now() - start < options.maxMs) {
    const now = performance.now();
    while (scheduled < options.maxMessages && start + scheduled * interval <= now) {
      const i = scheduled % pairs.length;
      const pair = pairs[i] as Pair;
      const mutation = pair.sender.send(pair.chatId, `e2e ${scheduled}`);
      if (mutation.type === 'message.send')
        due.set(mutation.args.messageId, start + scheduled * interval);
      (queues[i] as Mutation[]).push(mutation);
      flush(i);
      scheduled++;
    }
    await sleep(Math.max(0, start + scheduled * interval - performance.now()));
  }
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  const waitUntil = performance.now() + 5_000;
  while (due.size > 0 && performance.now() < waitUntil) await sleep(5);
  await Promise.all(receivers.flatMap((r) => (r.socket ? [closeSocket(r.socket)] : [])));

  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    delivered: latencies.length,
    scheduled
  };
}

/** The same people and chats with new devices talking to another server (fresh sequences). */
export function samePairs(http: HttpClient, pairs: Pair[]): Pair[] {
  return pairs.map(({ sender, receiver, chatId }) => ({
    sender: new Device(http, sender.user),
    receiver: new Device(http, receiver.user),
    chatId
  }));
}

/** Stores `count` messages in one chat (50 per push), for the pull measurement. */
export async function fillChat(pair: Pair, count: number) {
  for (let sent = 0; sent < count; sent += 50) {
    const batch = Array.from({ length: Math.min(50, count - sent) }, (_, i) =>
      pair.sender.send(pair.chatId, `history message ${sent + i}`)
    );
    const results = await pair.sender.push(batch);
    if (results.some((r) => r.status !== 'applied')) throw new Error('history message refused');
  }
}

/** A device's full pull from cursor 0, 1,000 changes per request: milliseconds, and how many. */
export async function fullPull(device: Device): Promise<{ ms: number; changes: number }> {
  const start = performance.now();
  let cursor = 0;
  let changes = 0;
  for (let page = 0; page < 1000; page++) {
    const response = await device.pull(cursor, 1000);
    changes += response.changes.length;
    cursor = response.cursor;
    if (!response.hasMore) break;
  }
  return { ms: performance.now() - start, changes };
}

/** Server RSS (MB) once `people` idle WebSockets are open and greeted. */
export async function idleSocketsRss(
  server: BenchServer,
  people: BenchUser[],
  options: { concurrency: number; settleMs: number; maxMs: number }
): Promise<{ rssMb: number; open: number; baselineMb: number }> {
  const baselineMb = server.rssMb();
  const sockets: WebSocket[] = [];
  const deadline = performance.now() + options.maxMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < people.length && performance.now() < deadline) {
        const person = people[next++] as BenchUser;
        sockets.push((await openSocket(server.origin, person)).socket);
      }
    })
  );
  await sleep(options.settleMs);
  const rssMb = server.rssMb();
  const open = sockets.length;
  for (let i = 0; i < sockets.length; i += 500) {
    await Promise.all(sockets.slice(i, i + 500).map(closeSocket));
  }
  return { rssMb, open, baselineMb };
}
