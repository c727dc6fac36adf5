// `npm run bench`: starts the server on embedded SQLite in a temporary directory, drives it over
// HTTP and WebSockets on 127.0.0.1, prints the median of several runs of each figure (or, with
// --json, one JSON object), and stops everything. Figures, not pass/fail: see issue 3 targets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Device, HttpClient } from './client.ts';
import {
  maxGap,
  seedExternalCases,
  startExternalTiming,
  type EnumerationSetup,
  type KindTiming
} from './enumeration.ts';
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
import { pushScenario } from './push.ts';
import { seedPeople, startServer, type BenchServer, type BenchUser } from './server.ts';
import { SWITCH_CHATS, switchScenario, type SwitchRun } from './switch.ts';

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
/** Tries of each kind of address per run (interleaved), each run's median kept. */
const ENUMERATION_LIMITS = { rounds: 300, maxMs: 30_000 };
const ENUMERATION_WARM_UP = { rounds: 30, maxMs: 5_000 };
const ENUMERATION_TRIES = ENUMERATION_WARM_UP.rounds + RUNS * ENUMERATION_LIMITS.rounds;
/** Every kind of address must answer within this of every other, at the median. */
const ENUMERATION_TARGET_MS = 0.3;
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

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

type EnumerationFigures = { kinds: KindTiming[]; personalGap: number; managedGap: number };

/**
 * Starts external chats from a personal and a managed sender to each kind of address, RUNS
 * times; a kind's figure is the median of its runs' medians. The gap compares kinds of one
 * sender (who the sender is, they know).
 */
async function enumerationFigures(
  http: HttpClient,
  inviter: BenchUser,
  setup: EnumerationSetup
): Promise<EnumerationFigures> {
  const senders = [
    { device: new Device(http, setup.personalSender), cases: setup.personalCases },
    { device: new Device(http, inviter), cases: setup.managedCases }
  ];
  for (const { device, cases } of senders) {
    await startExternalTiming(device, cases, ENUMERATION_WARM_UP);
  }
  const runs = new Map<string, KindTiming[]>();
  for (let run = 1; run <= RUNS; run++) {
    const rows: KindTiming[] = [];
    for (const { device, cases } of senders) {
      rows.push(...(await startExternalTiming(device, cases, ENUMERATION_LIMITS)));
    }
    const personal = rows.slice(0, setup.personalCases.length);
    const managed = rows.slice(setup.personalCases.length);
    log(
      `  run ${run}/${RUNS}: ` +
        rows.map((row) => `${row.kind} ${row.p50.toFixed(2)}`).join(', ') +
        ` ms; gap personal ${maxGap(personal).toFixed(2)}, managed ${maxGap(managed).toFixed(2)} ms`
    );
    for (const row of rows) runs.set(row.kind, [...(runs.get(row.kind) ?? []), row]);
  }
  const kinds = [...runs.entries()].map(([kind, rows]) => ({
    kind,
    p50: median(rows.map((row) => row.p50)),
    p90: median(rows.map((row) => row.p90)),
    count: rows.reduce((sum, row) => sum + row.count, 0)
  }));
  return {
    kinds,
    personalGap: maxGap(kinds.slice(0, setup.personalCases.length)),
    managedGap: maxGap(kinds.slice(setup.personalCases.length))
  };
}

/** The `--json` keys of the enumeration comparison. */
function enumerationJson(figures: EnumerationFigures) {
  const round = (ms: number) => Number(ms.toFixed(2));
  return {
    ...Object.fromEntries(
      figures.kinds.map((row) => [`start_external_${row.kind}_p50_ms`, round(row.p50)])
    ),
    start_external_personal_gap_ms: round(figures.personalGap),
    start_external_managed_gap_ms: round(figures.managedGap),
    start_external_max_gap_ms: round(Math.max(figures.personalGap, figures.managedGap))
  };
}

function enumerationRows(figures: EnumerationFigures): [string, string, string][] {
  return [
    ...figures.kinds.map((row): [string, string, string] => [
      `start external chat, ${row.kind.replace(/_/g, ' ')}, p50`,
      `${row.p50.toFixed(2)} ms`,
      'all alike'
    ]),
    [
      'start external chat, largest gap between kinds of address (one sender)',
      `${Math.max(figures.personalGap, figures.managedGap).toFixed(2)} ms`,
      `≤ ${ENUMERATION_TARGET_MS} ms`
    ]
  ];
}

/** The admin-switch figures (stable `--json` keys), median of the runs. */
async function switchFigures() {
  log(
    `Admin switch with ${SWITCH_CHATS.toLocaleString('en')} request chats; another organization sends meanwhile:`
  );
  const runs = await switchScenario(RUNS, log);
  const of = (key: keyof SwitchRun, digits: number) =>
    Number(median(runs.map((run) => run[key])).toFixed(digits));
  return {
    switch_ms: of('switchMs', 1),
    switch_spread_ms: of('spreadMs', 0),
    switch_send_p50_ms: of('p50', 2),
    switch_send_p99_ms: of('p99', 2),
    switch_idle_send_p50_ms: of('idleP50', 2),
    switch_idle_send_p99_ms: of('idleP99', 2)
  };
}

type SwitchFigures = Awaited<ReturnType<typeof switchFigures>>;

function switchRows(figures: SwitchFigures): [string, string, string][] {
  return [
    ['admin switch: PATCH /settings (outbound off or on)', `${figures.switch_ms} ms`, '—'],
    ['admin switch: effect spread to every chat', `${figures.switch_spread_ms} ms`, '—'],
    [
      "admin switch: another organization's send meanwhile, p50",
      `${figures.switch_send_p50_ms} ms`,
      '—'
    ],
    [
      "admin switch: another organization's send meanwhile, p99",
      `${figures.switch_send_p99_ms} ms`,
      '< 50 ms'
    ],
    [
      'admin switch: the same sends with no switch under way, p50 / p99',
      `${figures.switch_idle_send_p50_ms} / ${figures.switch_idle_send_p99_ms} ms`,
      '—'
    ]
  ];
}

/** `--only enumeration`: a small database, the comparison alone. */
async function enumerationOnly() {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  let server: BenchServer | undefined;
  try {
    const [inviter] = await seedPeople(dataDir, 1);
    if (!inviter) throw new Error('no inviter');
    const setup = await seedExternalCases(dataDir, inviter.id, ENUMERATION_TRIES);
    server = await startServer(dataDir, 'NORMAL', {
      profileDir: flags.profile,
      env: UNLIMITED_INVITATIONS
    });
    const http = new HttpClient(server.origin, 4);
    log(`Start an external chat: answer time by kind of address (${RUNS} runs):`);
    const figures = await enumerationFigures(http, inviter, setup);
    http.close();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(enumerationJson(figures))}\n`);
      return;
    }
    const rows = enumerationRows(figures);
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(`\nStart an external chat — SQLite WAL; median of ${RUNS} runs\n`);
    console.log(`${'figure'.padEnd(width)}  ${'median'.padStart(12)}  target`);
    for (const [label, value, target] of rows) {
      console.log(`${label.padEnd(width)}  ${value.padStart(12)}  ${target}`);
    }
    console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function printRows(rows: [string, string, string][], heading: string) {
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(heading);
  console.log(`${'figure'.padEnd(width)}  ${'median'.padStart(12)}  target`);
  for (const [label, value, target] of rows) {
    console.log(`${label.padEnd(width)}  ${value.padStart(12)}  ${target}`);
  }
}

async function switchOnly() {
  const started = Date.now();
  const figures = await switchFigures();
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
    const enumerationSetup = await seedExternalCases(dataDir, inviter.id, ENUMERATION_TRIES);

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
    const enumeration = await enumerationFigures(http, inviter, enumerationSetup);

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

    const switching = await switchFigures();

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
    const rows: [string, string, string][] = [
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
    const width = Math.max(...rows.map((r) => r[0].length));
    console.log(
      `\nParley server benchmark — SQLite WAL, synchronous=NORMAL unless stated; median of ${RUNS} runs; ` +
        `Node ${process.version}, ${cpus} CPU${cpus === 1 ? '' : 's'}, server and load generator on one machine\n`
    );
    console.log(`${'figure'.padEnd(width)}  ${'median'.padStart(12)}  target`);
    for (const [label, value, target] of rows) {
      console.log(`${label.padEnd(width)}  ${value.padStart(12)}  ${target}`);
    }
    console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    for (const server of servers) await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Web Push figures (stable `--json` keys), median of the runs. */
async function pushNotificationFigures() {
  log('A message to a 100-member group with 3 subscribed devices each (300 pushes):');
  const runs = await pushScenario(RUNS, log);
  return {
    push_answer_gain_p50_ms: Number(median(runs.map((r) => r.gainP50)).toFixed(2)),
    push_answer_plain_p50_ms: Number(median(runs.map((r) => r.plainP50)).toFixed(2)),
    push_300th_p50_ms: Number(median(runs.map((r) => r.lastPushP50)).toFixed(0))
  };
}

function pushRows(figures: Awaited<ReturnType<typeof pushNotificationFigures>>) {
  return [
    [
      `web push: what 300 pushes add to the sender's answer (over ${figures.push_answer_plain_p50_ms} ms), p50`,
      `${figures.push_answer_gain_p50_ms} ms`,
      '≤ 1 ms'
    ],
    ['web push: until the 300th push is received, p50', `${figures.push_300th_p50_ms} ms`, '≤ 1 s']
  ] satisfies [string, string, string][];
}

async function pushOnly() {
  const started = Date.now();
  const figures = await pushNotificationFigures();
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  printRows(pushRows(figures), `\nParley Web Push benchmark — SQLite; median of ${RUNS} runs\n`);
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
}

const alone = { enumeration: enumerationOnly, switch: switchOnly, push: pushOnly };
await (flags.only === 'enumeration' || flags.only === 'switch' || flags.only === 'push'
  ? alone[flags.only]()
  : main());
