// "Start a chat with this address" must not reveal, by its timing, whether the address has an
// account, has blocked the sender or refuses requests (PRODUCT.md, Starting an external chat).
// This measures the answer time of each case, interleaved so that machine noise hits all alike.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openStore, tables } from '../server/store/index.ts';
import type { Device } from './client.ts';

export type AddressCase = { label: string; address: (round: number) => string };

/**
 * Adds three personal accounts outside the sender's organization: one that can receive
 * requests, one that blocked the sender, one that turned requests off.
 */
export async function seedExternalCases(dataDir: string, senderId: string): Promise<AddressCase[]> {
  const store = await openStore({ databaseUrl: undefined, dataDir });
  try {
    const now = new Date();
    const person = (name: string, requestsAllowed: boolean) => {
      const email = `${name}@personal.example`;
      return { id: randomUUID(), name, email, emailKey: email, requestsAllowed, createdAt: now };
    };
    const registered = person('registered', true);
    const blocker = person('blocker', true);
    const refuser = person('refuser', false);
    await store.tx(async (tx) => {
      await tx.insert(tables.users).values([registered, blocker, refuser]);
      await tx
        .insert(tables.userBlocks)
        .values({ blockerId: blocker.id, blockedId: senderId, createdAt: now });
    });
    return [
      { label: 'no account', address: (round) => `nobody${round}@unknown.example` },
      { label: 'account', address: () => registered.email },
      { label: 'blocked the sender', address: () => blocker.email },
      { label: 'refuses requests', address: () => refuser.email }
    ];
  } finally {
    await store.close();
  }
}

/** Median and p90 answer time (ms) of a one-mutation push starting an external chat, per case. */
export async function startExternalTiming(
  sender: Device,
  cases: AddressCase[],
  limits: { rounds: number; maxMs: number }
): Promise<{ label: string; p50: number; p90: number; count: number }[]> {
  const samples = new Map(cases.map((c) => [c.label, [] as number[]]));
  const deadline = performance.now() + limits.maxMs;
  for (let round = 0; round < limits.rounds && performance.now() < deadline; round++) {
    // A different case goes first each round: no case always follows the same one.
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length] as AddressCase;
      const start = performance.now();
      const [result] = await sender.push([sender.startExternal(randomUUID(), c.address(round))]);
      const ms = performance.now() - start;
      if (result?.status !== 'applied') {
        throw new Error(`start to ${c.label} was not applied: ${JSON.stringify(result)}`);
      }
      samples.get(c.label)?.push(ms);
    }
  }
  return cases.map((c) => {
    const sorted = (samples.get(c.label) ?? []).sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { label: c.label, p50: at(0.5) ?? NaN, p90: at(0.9) ?? NaN, count: sorted.length };
  });
}
