// `npm run bench`: starts the server on embedded SQLite in a temporary directory, drives it over
// HTTP and WebSockets on 127.0.0.1, prints the median of several runs of each figure (or, with
// --json, one JSON object), and stops everything. Figures, not pass/fail: see issue 3 targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HttpClient } from './client.ts';
import {
  enumerationFigures,
  enumerationJson,
  enumerationRows,
  enumerationTries,
  seedExternalCases
} from './enumeration.ts';
import { median, printRows, type Row } from './report.ts';
import {
  endToEndLatency,
  fillChat,
  fullPull,
  idleSocketsRss,
  makePairs,
  pushThroughput,
  samePairs,
  type Pair
} from './scenarios.ts';
import { webPushFigures, webPushRows } from './push.ts';
import { seedPeople, startServer, type BenchServer } from './server.ts';
import { switchFigures, switchRows } from './switch.ts';

const { values: flags } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    /** Writes a CPU profile of each server process into this directory (node --cpu-prof). */
    profile: { type: 'string' },
    /** `enumeration`, `switch` or `push`: only that scenario. */
    only: { type: 'string' }
  }
});
const ALONE = ['enumeration', 'switch', 'push'];
if (flags.only !== undefined && !ALONE.includes(flags.only)) {
  throw new Error(`--only ${flags.only}: the scenarios that run alone are: ${ALONE.join(', ')}`);
}
const RUNS = Math.max(1, Number(flags.runs) || 3);
const log = (line: string) => process.stderr.write(`${line}\n`);

const SENDERS = 50;
const E2E_PAIRS = 10;
const HISTORY = 10_000;
const PUSH_LIMITS = { maxMessages: 200_000, maxMs: 4_000 };
/** The invitation limits would stop the enumeration rounds long before they end. */
const UNLIMITED_INVITATIONS = {
  INVITATIONS_PER_SENDER_HOUR: '1000000',
  INVITATIONS_PER_ORGANIZATION_DAY: '1000000',
  INVITATIONS_PER_ADDRESS_DAY: '1000000',
  INVITATIONS_PER_CALLING_CODE_DAY: '1000000'
};

/** Sockets to open: 10,000 unless the file-descriptor limit cannot take them (both ends here). */
function socketTarget(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/Max open files\s+(\d+)/.exec(limits)?.[1] ?? 1024);
  return Math.min(10_000, Math.max(100, soft - 1_000));
}

async function repeat(label: string, work: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const value = await work();
    log(`  ${label} run ${run}/${RUNS}: ${value.toFixed(value < 100 ? 2 : 0)}`);
    values.push(value);
  }
  return values;
}

async function pushFigures(pairs: Pair[]) {
  // Warm-up (not counted): compiled code, page cache, prepared statements.
  await pushThroughput(pairs, 1, { maxMessages: 5_000, maxMs: 1_000 });
  return {
    push1: await repeat('messages/s, 1 per push', () => pushThroughput(pairs, 1, PUSH_LIMITS)),
    push50: await repeat('messages/s, 50 per push', () => pushThroughput(pairs, 50, PUSH_LIMITS))
  };
}

/** `--only enumeration`: a small database, the comparison alone. */
async function enumerationOnly() {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  let server: BenchServer | undefined;
  try {
    const [inviter] = await seedPeople(dataDir, 1);
    if (!inviter) throw new Error('no inviter');
    const setup = await seedExternalCases(dataDir, inviter.id, enumerationTries(RUNS));
    server = await startServer(dataDir, 'NORMAL', {
      profileDir: flags.profile,
      env: UNLIMITED_INVITATIONS
    });
    const http = new HttpClient(server.origin, 4);
    log(`Start an external chat: answer time by kind of address (${RUNS} runs):`);
    const figures = await enumerationFigures(http, inviter, setup, RUNS, log);
    http.close();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(enumerationJson(figures))}\n`);
      return;
    }
    printRows(
      enumerationRows(figures),
      `\nStart an external chat — SQLite WAL; median of ${RUNS} runs\n`
    );
    console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function switchOnly() {
  const started = Date.now();
  const figures = await switchFigures(RUNS, log);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  printRows(
    switchRows(figures),
    `\nParley admin-switch benchmark — SQLite; median of ${RUNS} runs\n`
  );
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
}

async function pushOnly() {
  const started = Date.now();
  const figures = await webPushFigures(RUNS, log);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  printRows(webPushRows(figures), `\nParley Web Push benchmark — SQLite; median of ${RUNS} runs\n`);
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
}

async function main() {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const sockets = socketTarget();
  const servers: BenchServer[] = [];
  try {
    log(`Seeding ${sockets} people with sessions in ${dataDir}…`);
    const people = await seedPeople(dataDir, Math.max(sockets, 2 * SENDERS + 3));
    const senders = people.slice(0, 2 * SENDERS);
    const inviter = people[2 * SENDERS + 2];
    if (!inviter) throw new Error('no inviter');
    const enumerationSetup = await seedExternalCases(dataDir, inviter.id, enumerationTries(RUNS));

    const historyPair = people.slice(2 * SENDERS, 2 * SENDERS + 2);

    log('Starting the server (SQLite, synchronous=NORMAL)…');
    const normal = await startServer(dataDir, 'NORMAL', {
      profileDir: flags.profile,
      env: UNLIMITED_INVITATIONS
    });
    servers.push(normal);
    const http = new HttpClient(normal.origin, SENDERS + 8);
    const pairs = await makePairs(http, senders);
    const [history] = await makePairs(http, historyPair);
    if (!history) throw new Error('no history pair');

    log(`Push throughput (${SENDERS} concurrent senders, each waits for its answer):`);
    const normalPush = await pushFigures(pairs);

    log(`Push → other device over WebSocket at 1,000 msg/s (${E2E_PAIRS} pairs):`);
    const e2eRuns: { p50: number; p99: number }[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const result = await endToEndLatency(normal, pairs.slice(0, E2E_PAIRS), {
        rate: 1000,
        maxMessages: 3000,
        maxMs: 10_000
      });
      log(
        `  run ${run}/${RUNS}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms ` +
          `(${result.delivered}/${result.scheduled} delivered)`
      );
      e2eRuns.push(result);
    }

    log(`Start an external chat: answer time by kind of address (${RUNS} runs):`);
    const enumeration = await enumerationFigures(http, inviter, enumerationSetup, RUNS, log);

    log(`Full pull of a ${HISTORY.toLocaleString('en')}-message history (1,000 per request):`);
    await fillChat(history, HISTORY);
    const pulls = await repeat('ms', async () => {
      const { ms, changes } = await fullPull(history.receiver);
      if (changes < HISTORY) throw new Error(`pulled ${changes} changes, expected ${HISTORY}+`);
      return ms;
    });

    log(`Server RSS with ${sockets.toLocaleString('en')} idle authenticated WebSockets:`);
    let baseline = 0;
    const rss = await repeat('MB', async () => {
      const result = await idleSocketsRss(normal, people.slice(0, sockets), {
        concurrency: 200,
        settleMs: 2_000,
        maxMs: 60_000
      });
      if (result.open < sockets) throw new Error(`opened only ${result.open} sockets`);
      baseline = result.baselineMb;
      return result.rssMb;
    });
    http.close();
    await normal.stop();
    servers.pop();

    log('Restarting with synchronous=FULL (every commit synced to disk):');
    const full = await startServer(dataDir, 'FULL', { profileDir: flags.profile });
    servers.push(full);
    const httpFull = new HttpClient(full.origin, SENDERS + 8);
    const fullPairs = samePairs(httpFull, pairs);
    const fullPush = await pushFigures(fullPairs);
    httpFull.close();
    await full.stop();
    servers.pop();

    const switching = await switchFigures(RUNS, log);

    const figures = {
      push1_msgs_per_s: Math.round(median(normalPush.push1)),
      push50_msgs_per_s: Math.round(median(normalPush.push50)),
      e2e_p50_ms: Number(median(e2eRuns.map((r) => r.p50)).toFixed(2)),
      e2e_p99_ms: Number(median(e2eRuns.map((r) => r.p99)).toFixed(2)),
      pull10k_ms: Number(median(pulls).toFixed(1)),
      ws10k_rss_mb: Number(median(rss).toFixed(1)),
      ...enumerationJson(enumeration),
      ...switching
    };
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    const cpus = os.cpus().length;
    const rows: Row[] = [
      [
        `messages/s accepted, 1 message per push, ${SENDERS} concurrent senders`,
        figures.push1_msgs_per_s.toLocaleString('en'),
        '≥ 4,000'
      ],
      [
        'messages/s accepted, 50 messages per push',
        figures.push50_msgs_per_s.toLocaleString('en'),
        '≥ 25,000'
      ],
      ['push → other device (WebSocket) at 1,000 msg/s, p50', `${figures.e2e_p50_ms} ms`, '≤ 5 ms'],
      [
        'push → other device (WebSocket) at 1,000 msg/s, p99',
        `${figures.e2e_p99_ms} ms`,
        '≤ 25 ms'
      ],
      ...enumerationRows(enumeration),
      [
        `full pull of a ${HISTORY.toLocaleString('en')}-message history`,
        `${figures.pull10k_ms} ms`,
        '≤ 300 ms'
      ],
      [
        `server RSS, ${sockets.toLocaleString('en')} idle authenticated WebSockets (idle before: ${baseline.toFixed(0)} MB)`,
        `${figures.ws10k_rss_mb} MB`,
        '≤ 400 MB'
      ],
      [
        'with synchronous=FULL: messages/s, 1 message per push',
        Math.round(median(fullPush.push1)).toLocaleString('en'),
        '—'
      ],
      [
        'with synchronous=FULL: messages/s, 50 messages per push',
        Math.round(median(fullPush.push50)).toLocaleString('en'),
        '—'
      ],
      ...switchRows(switching)
    ];
    printRows(
      rows,
      `\nParley server benchmark — SQLite WAL, synchronous=NORMAL unless stated; median of ${RUNS} runs; ` +
        `Node ${process.version}, ${cpus} CPU${cpus === 1 ? '' : 's'}, server and load generator on one machine\n`
    );
    console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    for (const server of servers) await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const alone = { enumeration: enumerationOnly, switch: switchOnly, push: pushOnly };
await (flags.only === 'enumeration' || flags.only === 'switch' || flags.only === 'push'
  ? alone[flags.only]()
  : main());
