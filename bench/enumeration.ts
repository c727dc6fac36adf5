// "Start a chat with this address" must not reveal, by its timing, whether the address has an
// account, has blocked the sender or refuses requests (PRODUCT.md, Starting an external chat).
// This measures the answer time of each kind of address, from a personal sender and from a
// managed one, interleaved in a new random order each round so that machine noise (and the
// after-effects of one start on the next) hits all kinds alike.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { performance } from 'node:perf_hooks';
import { randomToken, tokenHash } from '../server/domain/secrets.ts';
import { SESSION_LIFETIME_MS } from '../server/domain/sessions.ts';
import { SESSION_COOKIE } from '../server/http/guards.ts';
import { openStore, tables } from '../server/store/index.ts';
import { Device, type HttpClient } from './client.ts';
import { median, type Row } from './report.ts';
import type { BenchUser } from './server.ts';

/**
 * `kind` names the figure (`start_external_<kind>_p50_ms`); `address()` gives the next address
 * of that kind, each a first contact (what someone probing addresses does): a request between
 * two people costs the same whether it is the first or the hundredth, but not its lookups.
 */
export type AddressCase = { kind: string; address: () => string };

export type EnumerationSetup = {
  /** A personal account (no organization), signed in once. */
  personalSender: BenchUser;
  /** From the personal sender: members of the seeded organization and a personal account. */
  personalCases: AddressCase[];
  /** From a member of the seeded organization: personal accounts and an unknown address. */
  managedCases: AddressCase[];
};

/**
 * Adds, beside the seeded organization (Contoso) and `managedSenderId` (one of its members): a
 * personal sender with a session; Contoso members who accept requests, refuse them, or blocked
 * the personal sender; personal accounts who accept, refuse, or blocked the managed sender;
 * `perKind` of each, so that every try is someone's first contact.
 */
export async function seedExternalCases(
  dataDir: string,
  managedSenderId: string,
  /** Tries of each kind there will be, warm-up included. */
  perKind: number
): Promise<EnumerationSetup> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    const now = new Date();
    const [organization] = await store.db
      .select({ id: tables.organizations.id })
      .from(tables.organizations)
      .where(eq(tables.organizations.name, 'Contoso'));
    if (!organization) throw new Error('Contoso is not seeded');
    const person = (
      name: string,
      domain: string,
      organizationId: string | null,
      requestsAllowed = true
    ) => {
      const email = `${name}@${domain}`;
      return {
        id: randomUUID(),
        organizationId,
        role: organizationId ? ('member' as const) : null,
        name: name.replace(/-/g, ' '),
        email,
        emailKey: email,
        requestsAllowed,
        createdAt: now
      };
    };
    const sender = person('personal-sender', 'personal.example', null);
    const many = (name: string, domain: string, organizationId: string | null, allowed = true) =>
      Array.from({ length: perKind }, (_, i) =>
        person(`${name}-${i}`, domain, organizationId, allowed)
      );
    const kinds = {
      member_accepting: many('member-accepting', 'contoso.test', organization.id),
      member_refusing: many('member-refusing', 'contoso.test', organization.id, false),
      member_blocking: many('member-blocking', 'contoso.test', organization.id),
      personal_accepting: many('personal-accepting', 'personal.example', null),
      managed_to_personal_accepting: many('managed-personal-accepting', 'personal.example', null),
      managed_to_personal_refusing: many('personal-refusing', 'personal.example', null, false),
      managed_to_personal_blocking: many('personal-blocking', 'personal.example', null)
    };
    const token = randomToken();
    await store.tx(async (tx) => {
      const everyone = [sender, ...Object.values(kinds).flat()];
      for (let start = 0; start < everyone.length; start += 500) {
        await tx.insert(tables.users).values(everyone.slice(start, start + 500));
      }
      await tx.insert(tables.sessions).values({
        tokenHash: tokenHash(token),
        userId: sender.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
      });
      const blocks = [
        ...kinds.member_blocking.map((p) => ({ blockerId: p.id, blockedId: sender.id })),
        ...kinds.managed_to_personal_blocking.map((p) => ({
          blockerId: p.id,
          blockedId: managedSenderId
        }))
      ].map((block) => ({ ...block, createdAt: now }));
      for (let start = 0; start < blocks.length; start += 500) {
        await tx.insert(tables.userBlocks).values(blocks.slice(start, start + 500));
      }
    });
    const fresh = (kind: keyof typeof kinds): AddressCase => {
      let next = 0;
      return {
        kind,
        address: () => {
          const holder = kinds[kind][next++];
          if (!holder) throw new Error(`no ${kind} address left: seed more`);
          return holder.email;
        }
      };
    };
    const unknown = (kind: string): AddressCase => {
      let next = 0;
      return { kind, address: () => `nobody${next++}@unknown.example` };
    };
    return {
      personalSender: { id: sender.id, cookie: `${SESSION_COOKIE}=${token}` },
      personalCases: [
        fresh('member_accepting'),
        fresh('member_refusing'),
        fresh('member_blocking'),
        unknown('unknown'),
        fresh('personal_accepting')
      ],
      managedCases: [
        unknown('managed_to_unknown'),
        fresh('managed_to_personal_accepting'),
        fresh('managed_to_personal_refusing'),
        fresh('managed_to_personal_blocking')
      ]
    };
  } finally {
    await store.close();
  }
}

export type KindTiming = { kind: string; p50: number; p90: number; count: number };

/** A random order of `count` indexes (Fisher–Yates). */
function shuffled(count: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** Median and p90 answer time (ms) of a one-mutation push starting an external chat, per kind. */
export async function startExternalTiming(
  sender: Device,
  cases: AddressCase[],
  limits: { rounds: number; maxMs: number }
): Promise<KindTiming[]> {
  const samples = new Map(cases.map((c) => [c.kind, [] as number[]]));
  const deadline = performance.now() + limits.maxMs;
  for (let round = 0; round < limits.rounds && performance.now() < deadline; round++) {
    for (const index of shuffled(cases.length)) {
      const c = cases[index] as AddressCase;
      const start = performance.now();
      const [result] = await sender.push([sender.startExternal(randomUUID(), c.address())]);
      const ms = performance.now() - start;
      if (result?.status !== 'applied') {
        throw new Error(`start to ${c.kind} was not applied: ${JSON.stringify(result)}`);
      }
      samples.get(c.kind)?.push(ms);
    }
  }
  return cases.map((c) => {
    const sorted = (samples.get(c.kind) ?? []).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { kind: c.kind, p50: at(0.5) ?? NaN, p90: at(0.9) ?? NaN, count: sorted.length };
  });
}

/** The largest difference between two kinds' medians (ms): what an observer could tell apart. */
export function maxGap(rows: { p50: number }[]): number {
  if (rows.length === 0) return NaN;
  const medians = rows.map((row) => row.p50);
  return Math.max(...medians) - Math.min(...medians);
}

/** Tries of each kind of address per run (interleaved), each run's median kept. */
const ENUMERATION_LIMITS = { rounds: 300, maxMs: 30_000 };
const ENUMERATION_WARM_UP = { rounds: 30, maxMs: 5_000 };
/** Every kind of address must answer within this of every other, at the median. */
const ENUMERATION_TARGET_MS = 0.3;
/** How many first contacts of each kind `runs` runs use, warm-up included (seedExternalCases). */
export const enumerationTries = (runs: number) =>
  ENUMERATION_WARM_UP.rounds + runs * ENUMERATION_LIMITS.rounds;

export type EnumerationFigures = { kinds: KindTiming[]; personalGap: number; managedGap: number };

/**
 * Starts external chats from a personal and a managed sender to each kind of address,
 * `runCount` times; a kind's figure is the median of its runs' medians. The gap compares kinds
 * of one sender (who the sender is, they know).
 */
export async function enumerationFigures(
  http: HttpClient,
  inviter: BenchUser,
  setup: EnumerationSetup,
  runCount: number,
  log: (line: string) => void
): Promise<EnumerationFigures> {
  const senders = [
    { device: new Device(http, setup.personalSender), cases: setup.personalCases },
    { device: new Device(http, inviter), cases: setup.managedCases }
  ];
  for (const { device, cases } of senders) {
    await startExternalTiming(device, cases, ENUMERATION_WARM_UP);
  }
  const runs = new Map<string, KindTiming[]>();
  for (let run = 1; run <= runCount; run++) {
    const rows: KindTiming[] = [];
    for (const { device, cases } of senders) {
      rows.push(...(await startExternalTiming(device, cases, ENUMERATION_LIMITS)));
    }
    const personal = rows.slice(0, setup.personalCases.length);
    const managed = rows.slice(setup.personalCases.length);
    log(
      `  run ${run}/${runCount}: ` +
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
export function enumerationJson(figures: EnumerationFigures) {
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

/** The printed rows of the enumeration comparison, against its target. */
export function enumerationRows(figures: EnumerationFigures): Row[] {
  return [
    ...figures.kinds.map((row): Row => [
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
