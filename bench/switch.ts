// An admin switch in a large organization must not stall anyone else (issue 9, item 12): one
// organization holds ~11,000 request chats, its admin turns outbound chat off and on, and another
// organization's members keep sending. Measures the PATCH, the spread of its effect to every
// chat, and the other organization's send latency meanwhile.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { randomToken, tokenHash } from '../server/domain/secrets.ts';
import { SESSION_LIFETIME_MS } from '../server/domain/sessions.ts';
import { SESSION_COOKIE } from '../server/http/guards.ts';
import { seedDemo } from '../server/seed.ts';
import { openStore, tables } from '../server/store/index.ts';
import { HttpClient } from './client.ts';
import { median, type Row } from './report.ts';
import { makePairs } from './scenarios.ts';
import { startServer, type BenchUser } from './server.ts';

export const SWITCH_CHATS = 11_000;
/** Members of the big organization the requests are spread over. */
const MEMBERS = 100;
/** Concurrent senders in the other organization. */
const OTHER_SENDERS = 4;
/** Each of the other organization's senders pauses this long between its sends. */
const SEND_PAUSE_MS = 5;
/** How long the sends are timed with no switch under way, before each run's switches. */
const IDLE_MS = 3_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Seeded = { admin: BenchUser; organizationId: string; others: BenchUser[] };

const session = (userId: string, now: Date) => {
  const token = randomToken();
  return {
    row: {
      tokenHash: tokenHash(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
    },
    user: { id: userId, cookie: `${SESSION_COOKIE}=${token}` }
  };
};

/**
 * Contoso (the demo) with `chats` pending requests between its members and personal accounts,
 * half sent by members, half received by them; and a second organization, Fabrikam, whose
 * members only talk among themselves. Written straight into the file, in chunks.
 */
async function seed(dataDir: string, chats: number): Promise<Seeded> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    const now = new Date();
    await seedDemo(store, now);
    const [contoso] = await store.db.select().from(tables.organizations).limit(1);
    const [alice] = await store.db
      .select()
      .from(tables.users)
      .where(eq(tables.users.emailKey, 'alice@contoso.test'));
    if (!contoso || !alice) throw new Error('no demo organization');
    const fabrikamId = randomUUID();
    const members = Array.from({ length: MEMBERS }, (_, i) => ({
      id: randomUUID(),
      organizationId: contoso.id,
      role: 'member' as const,
      name: `Member ${i}`,
      email: `member${i}@contoso.test`,
      emailKey: `member${i}@contoso.test`,
      createdAt: now
    }));
    const others = Array.from({ length: 2 * OTHER_SENDERS }, (_, i) => ({
      id: randomUUID(),
      organizationId: fabrikamId,
      role: 'member' as const,
      name: `Fabrikam ${i}`,
      email: `person${i}@fabrikam.test`,
      emailKey: `person${i}@fabrikam.test`,
      createdAt: now
    }));
    const adminSession = session(alice.id, now);
    const otherSessions = others.map((person) => session(person.id, now));
    await store.tx(async (tx) => {
      await tx.insert(tables.organizations).values({
        id: fabrikamId,
        name: 'Fabrikam',
        defaultRegion: 'FR',
        createdAt: now
      });
      await tx
        .insert(tables.organizationDomains)
        .values({ domain: 'fabrikam.test', organizationId: fabrikamId, createdAt: now });
      await tx.insert(tables.users).values([...members, ...others]);
      await tx
        .insert(tables.sessions)
        .values([adminSession.row, ...otherSessions.map((s) => s.row)]);
    });
    const expiresAt = new Date(now.getTime() + 14 * 24 * 60 * 60 * 1000);
    for (let start = 0; start < chats; start += 500) {
      const count = Math.min(500, chats - start);
      const rows = Array.from({ length: count }, (_, k) => {
        const i = start + k;
        const member = members[i % MEMBERS] as (typeof members)[number];
        const email = `outsider${i}@personal.example`;
        const outsider = { id: randomUUID(), name: `Outsider ${i}`, email, emailKey: email };
        const outgoing = i % 2 === 0;
        const [sender, recipient] = outgoing ? [member, outsider] : [outsider, member];
        const chatId = randomUUID();
        return {
          outsider: { ...outsider, createdAt: now },
          chat: { id: chatId, kind: 'direct' as const, createdBy: sender.id, createdAt: now },
          members: [sender.id, recipient.id].map((userId) => ({ chatId, userId, joinedAt: now })),
          request: {
            chatId,
            senderId: sender.id,
            recipientId: recipient.id,
            address: recipient.email,
            addressKey: recipient.emailKey,
            channel: 'email' as const,
            status: 'pending' as const,
            sentAt: now,
            expiresAt,
            createdAt: now
          }
        };
      });
      await store.tx(async (tx) => {
        await tx.insert(tables.users).values(rows.map((r) => r.outsider));
        await tx.insert(tables.chats).values(rows.map((r) => r.chat));
        await tx.insert(tables.chatMembers).values(rows.flatMap((r) => r.members));
        await tx.insert(tables.messageRequests).values(rows.map((r) => r.request));
      });
    }
    return {
      admin: adminSession.user,
      organizationId: contoso.id,
      others: otherSessions.map((s) => s.user)
    };
  } finally {
    await store.close();
  }
}

/** Effects still to spread (0 where the server has no such table: it spreads nothing later). */
function pendingEffects(file: Database.Database): number {
  try {
    const row = file.prepare('select count(*) as n from switch_effects').get() as { n: number };
    return row.n;
  } catch {
    return 0;
  }
}

/**
 * A keep-alive socket the server closed while it sat idle in the pool answers ECONNRESET at once
 * when reused: tried again (the time counts), so that only the server's own delay is measured.
 */
async function retryingReset<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
    return request();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

export type SwitchRun = {
  switchMs: number;
  spreadMs: number;
  p50: number;
  p99: number;
  /** The same sends just before, with no switch under way. */
  idleP50: number;
  idleP99: number;
};

/**
 * Seeds, starts the server and measures `runs` times: each run turns outbound chat off then on
 * again; the other organization's sends are timed from the first PATCH until the last spread
 * ends. Figures per run: the slower PATCH, the slower spread, send p50 and p99.
 */
export async function switchScenario(
  runs: number,
  log: (line: string) => void,
  chats = SWITCH_CHATS
): Promise<SwitchRun[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-switch-'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let file: Database.Database | undefined;
  try {
    log(`Seeding ${chats.toLocaleString('en')} request chats in one organization…`);
    const seeded = await seed(dataDir, chats);
    server = await startServer(dataDir, 'NORMAL');
    file = new Database(path.join(dataDir, 'parley.db'), { readonly: true, fileMustExist: true });
    const http = new HttpClient(server.origin, OTHER_SENDERS + 4);
    const pairs = await makePairs(http, seeded.others);
    const settings = `/api/admin/organizations/${seeded.organizationId}/settings`;
    const patch = async (outboundExternal: boolean) => {
      const started = performance.now();
      await retryingReset(() =>
        http.request('PATCH', settings, seeded.admin.cookie, { outboundExternal })
      );
      const switchMs = performance.now() - started;
      while (pendingEffects(file as Database.Database) > 0) await sleep(10);
      return { switchMs, spreadMs: performance.now() - started };
    };
    await patch(false); // warm-up (not counted)
    await patch(true);

    const results: SwitchRun[] = [];
    for (let run = 1; run <= runs; run++) {
      let sending = true;
      const samples: number[] = [];
      const loops = pairs.map(async ({ sender, chatId }) => {
        while (sending) {
          const started = performance.now();
          const mutation = sender.send(chatId, 'while the admin switches');
          const [result] = await retryingReset(() => sender.push([mutation]));
          samples.push(performance.now() - started);
          if (result?.status !== 'applied') throw new Error(`send: ${JSON.stringify(result)}`);
          await sleep(SEND_PAUSE_MS);
        }
      });
      await sleep(200);
      samples.length = 0;
      // The same sends with no switch under way: what the machine itself gives.
      await sleep(IDLE_MS);
      const idle = samples.splice(0).sort((a, b) => a - b);
      const off = await patch(false);
      const on = await patch(true);
      sending = false;
      await Promise.all(loops);
      const sorted = [...samples].sort((a, b) => a - b);
      const result = {
        switchMs: Math.max(off.switchMs, on.switchMs),
        spreadMs: Math.max(off.spreadMs, on.spreadMs),
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        idleP50: percentile(idle, 0.5),
        idleP99: percentile(idle, 0.99)
      };
      log(
        `  run ${run}/${runs}: PATCH ${result.switchMs.toFixed(0)} ms, spread ${result.spreadMs.toFixed(0)} ms, ` +
          `other organization's send p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (${sorted.length} sends; ` +
          `with no switch p50 ${result.idleP50.toFixed(2)} ms, p99 ${result.idleP99.toFixed(2)} ms)`
      );
      results.push(result);
    }
    http.close();
    return results;
  } finally {
    file?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The admin-switch figures (stable `--json` keys), median of the runs. */
export async function switchFigures(runCount: number, log: (line: string) => void) {
  log(
    `Admin switch with ${SWITCH_CHATS.toLocaleString('en')} request chats; another organization sends meanwhile:`
  );
  const runs = await switchScenario(runCount, log);
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

export type SwitchFigures = Awaited<ReturnType<typeof switchFigures>>;

export function switchRows(figures: SwitchFigures): Row[] {
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
