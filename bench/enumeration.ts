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
import type { BenchUser } from './server.ts';
import type { Device } from './client.ts';

/** `kind` names the figure (`start_external_<kind>_p50_ms`); `address` is typed in round `round`. */
export type AddressCase = { kind: string; address: (round: number) => string };

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
 * the personal sender; personal accounts who accept, refuse, or blocked the managed sender.
 */
export async function seedExternalCases(
  dataDir: string,
  managedSenderId: string
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
    const member = person('member-accepting', 'contoso.test', organization.id);
    const memberRefusing = person('member-refusing', 'contoso.test', organization.id, false);
    const memberBlocking = person('member-blocking', 'contoso.test', organization.id);
    const personal = person('personal-accepting', 'personal.example', null);
    const personalRefusing = person('personal-refusing', 'personal.example', null, false);
    const personalBlocking = person('personal-blocking', 'personal.example', null);
    const token = randomToken();
    await store.tx(async (tx) => {
      await tx
        .insert(tables.users)
        .values([
          sender,
          member,
          memberRefusing,
          memberBlocking,
          personal,
          personalRefusing,
          personalBlocking
        ]);
      await tx.insert(tables.sessions).values({
        tokenHash: tokenHash(token),
        userId: sender.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS)
      });
      await tx.insert(tables.userBlocks).values([
        { blockerId: memberBlocking.id, blockedId: sender.id, createdAt: now },
        { blockerId: personalBlocking.id, blockedId: managedSenderId, createdAt: now }
      ]);
    });
    return {
      personalSender: { id: sender.id, cookie: `${SESSION_COOKIE}=${token}` },
      personalCases: [
        { kind: 'member_accepting', address: () => member.email },
        { kind: 'member_refusing', address: () => memberRefusing.email },
        { kind: 'member_blocking', address: () => memberBlocking.email },
        { kind: 'unknown', address: (round) => `nobody${round}@unknown.example` },
        { kind: 'personal_accepting', address: () => personal.email }
      ],
      managedCases: [
        { kind: 'managed_to_unknown', address: (round) => `nobody${round}@unknown.example` },
        { kind: 'managed_to_personal_accepting', address: () => personal.email },
        { kind: 'managed_to_personal_refusing', address: () => personalRefusing.email },
        { kind: 'managed_to_personal_blocking', address: () => personalBlocking.email }
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
      const [result] = await sender.push([sender.startExternal(randomUUID(), c.address(round))]);
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
