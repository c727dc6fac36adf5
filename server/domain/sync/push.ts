// The push pipeline: applies pushed mutations exactly once, in device order, each through its
// handler's rules and write (registry.ts), and publishes what they changed after commit.
// docs/sync-protocol.md (Push) is the contract.
import { and, eq, sql } from 'drizzle-orm';
import type { Mutation, MutationResult } from '../../../common/protocol.ts';
import { isRaceError, prepared, tables, type Db, type Store } from '../../store/index.ts';
import type { Outgoing } from '../../messaging/transports.ts';
import { withEffects, type ChangeFeed, type Outbox } from '../effects.ts';
import { DomainError } from '../errors.ts';
import { DEFAULT_INVITATION_LIMITS, DEFAULT_SMS_COUNTRIES } from '../../config.ts';
import { chunks, recordChanges, type ChangeNotice, type NewChange } from './changes.ts';
import type { Actor, ExternalOptions, Refusal } from './context.ts';
import { mutationContexts, type PerTransaction } from './mutation-context.ts';
import { decideMutation } from './registry.ts';

export type PushOptions = {
  store: Store;
  now: () => Date;
  /** Told after each commit of the users whose logs grew (the real-time layer). */
  feed?: ChangeFeed;
  /**
   * Queues the invitations and request notices of applied mutations in their transaction, and
   * sends them after commit (none without it).
   */
  notifier?: Outbox;
  /** Invitation links and limits; tests get the documented defaults. */
  external?: ExternalOptions;
  /**
   * Told after each commit of the messages it stored, one entry per person who may see each
   * (push notifications, server/push/fanout.ts).
   */
  onMessages?: (stored: MessageChange[]) => void;
};

type MessageChange = Extract<NewChange, { kind: 'message' }>;

/** The documented defaults (docs/external-contacts.md, Limits). */
const DEFAULT_EXTERNAL: ExternalOptions = {
  publicUrl: 'http://localhost:3000',
  limits: DEFAULT_INVITATION_LIMITS,
  smsCountries: DEFAULT_SMS_COUNTRIES
};

/** A race lost on PostgreSQL is run again; past this many tries it is a bug, not a race. */
const MAX_ATTEMPTS = 5;
/**
 * Mutations of one push committed together on SQLite (one writer, so no lock-order deadlocks
 * between batches; one commit, so one disk sync under synchronous=FULL). PostgreSQL commits each
 * mutation on its own. Either way each mutation is decided exactly as if it were alone.
 */
const SQLITE_MUTATIONS_PER_COMMIT = 100;

const GAP = Symbol('sequence gap');

const { devices, appliedMutations } = tables;
const p = sql.placeholder;

/** The exactly-once guard: moves the device to `seq` only from `seq - 1`. */
const claimSequence = prepared('claim_sequence', (db, name) =>
  db
    .update(devices)
    .set({ lastAppliedSeq: sql`${p('seq')}` })
    .where(
      and(
        eq(devices.id, p('deviceId')),
        eq(devices.userId, p('userId')),
        eq(devices.lastAppliedSeq, p('previous'))
      )
    )
    .returning({ id: devices.id })
    .prepare(name)
);

const recordResults = prepared('record_results', (db, name, count: number) =>
  db
    .insert(appliedMutations)
    .values(
      Array.from({ length: count }, (_, i) => ({
        deviceId: p('deviceId'),
        seq: p(`s${i}`),
        mutationId: p(`m${i}`),
        result: p(`r${i}`),
        createdAt: p('createdAt')
      }))
    )
    .prepare(name)
);

/**
 * What a transaction's mutations leave to write at its end: the answers to record and the
 * change-log entries. Nothing a rule reads waits here (messages, memberships and chats are
 * written at once), so deferring them changes no decision and turns a batch's many small
 * writes into a few large ones.
 */
type Deferred = PerTransaction & {
  answers: { seq: number; mutationId: string; result: MutationResult }[];
  changes: NewChange[];
  /** Email and SMS of applied mutations, written to the notifier's queue at the end. */
  outgoing: Outgoing[];
};

const sequenceGap = (m: Mutation): MutationResult => ({
  id: m.id,
  seq: m.seq,
  status: 'rejected',
  code: 'sequence_gap',
  message: 'An earlier change from this device has not reached the server yet.'
});

function rejected(m: Mutation, refusal: Refusal): MutationResult {
  return {
    id: m.id,
    seq: m.seq,
    status: 'rejected',
    code: refusal.code,
    message: refusal.message,
    ...(refusal.details && { details: refusal.details })
  };
}

/** Answers every mutation of a push, in order: applied, rejected (final), or `sequence_gap`. */
export function createPushPipeline(options: PushOptions) {
  const { store, now } = options;
  const perCommit = store.dialect === 'sqlite' ? SQLITE_MUTATIONS_PER_COMMIT : 1;
  const contextFor = mutationContexts(store.dialect, options.external ?? DEFAULT_EXTERNAL);

  /** The device's last applied sequence, registering the device to `actor` on first use. */
  async function deviceSequence(tx: Db, deviceId: string, actor: Actor, at: Date): Promise<number> {
    const read = () =>
      tx
        .select({ userId: devices.userId, last: devices.lastAppliedSeq })
        .from(devices)
        .where(eq(devices.id, deviceId));
    let [device] = await read();
    if (!device) {
      await tx
        .insert(devices)
        .values({ id: deviceId, userId: actor.id, lastAppliedSeq: 0, createdAt: at })
        .onConflictDoNothing();
      [device] = await read();
    }
    if (!device || device.userId !== actor.id) {
      throw new DomainError('device_taken', 'This device id belongs to another account.');
    }
    return Number(device.last);
  }

  /** Decides one mutation inside `tx`: replay, gap, or rules then apply, recorded with its seq. */
  async function decide(
    tx: Db,
    actor: Actor,
    deviceId: string,
    m: Mutation,
    deferred: Deferred,
    claimed: boolean
  ): Promise<MutationResult | typeof GAP> {
    const at = now();
    // Claiming the sequence number is the exactly-once guard: one conditional update, so two
    // tabs (or two instances) pushing the same mutation cannot both get past it.
    for (let attempt = 0; !claimed; attempt++) {
      const moved = await claimSequence(tx).execute({
        seq: m.seq,
        deviceId,
        userId: actor.id,
        previous: m.seq - 1
      });
      if (moved.length > 0) break;
      const last = await deviceSequence(tx, deviceId, actor, at);
      if (m.seq <= last) return replay(tx, deviceId, m, deferred);
      if (m.seq > last + 1) return GAP;
      // Only a device registered just now gets here; a second miss means the row moved under us.
      if (attempt > 0) throw new Error(`device ${deviceId} sequence moved during a transaction`);
    }

    // What a mutation queues to send goes out only if it is applied (and commits).
    const outgoing: Outgoing[] = [];
    const context = contextFor(tx, actor, deviceId, at, deferred, outgoing);
    let result: MutationResult;
    const outcome = await decideMutation(tx, context, m);
    if ('code' in outcome) {
      result = rejected(m, outcome);
    } else {
      deferred.changes.push(...outcome.changes);
      deferred.outgoing.push(...outgoing);
      result = {
        id: m.id,
        seq: m.seq,
        status: 'applied',
        ...(outcome.chatSeq !== undefined && { chatSeq: outcome.chatSeq })
      };
    }
    deferred.answers.push({ seq: m.seq, mutationId: m.id, result });
    return result;
  }

  /** Writes the answers and change-log entries the transaction's mutations deferred. */
  async function writeDeferred(
    tx: Db,
    deviceId: string,
    deferred: Deferred
  ): Promise<ChangeNotice[]> {
    const at = now();
    for (const chunk of chunks(deferred.answers)) {
      const values: Record<string, unknown> = { deviceId, createdAt: at };
      chunk.forEach((answer, i) => {
        values[`s${i}`] = answer.seq;
        values[`m${i}`] = answer.mutationId;
        values[`r${i}`] = answer.result;
      });
      await recordResults(tx, chunk.length).execute(values);
    }
    return recordChanges(tx, deferred.changes, at);
  }

  async function replay(
    tx: Db,
    deviceId: string,
    m: Mutation,
    deferred: Deferred
  ): Promise<MutationResult> {
    const pending = deferred.answers.find((answer) => answer.seq === m.seq);
    const [row] = pending
      ? [pending]
      : await tx
          .select({ mutationId: appliedMutations.mutationId, result: appliedMutations.result })
          .from(appliedMutations)
          .where(and(eq(appliedMutations.deviceId, deviceId), eq(appliedMutations.seq, m.seq)));
    if (row?.mutationId === m.id) return row.result as MutationResult;
    return rejected(m, {
      code: 'sequence_conflict',
      message: 'Another change from this device already has this sequence number.'
    });
  }

  /** One transaction over `batch`; stops at a gap (what came before it still commits). */
  async function commitBatch(actor: Actor, deviceId: string, batch: Mutation[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        let stored: MessageChange[] = [];
        const outcome = await withEffects(options, async (tx, effects) => {
          const deferred: Deferred = { answers: [], changes: [], outgoing: [] };
          // A batch of the next sequence numbers is claimed in one go (else one by one).
          const first = batch[0];
          const last = batch.at(-1);
          let claimedUpTo = 0;
          if (first && last && batch.length > 1 && batch.every((m, i) => m.seq === first.seq + i)) {
            const run = await claimSequence(tx).execute({
              seq: last.seq,
              deviceId,
              userId: actor.id,
              previous: first.seq - 1
            });
            if (run.length > 0) claimedUpTo = last.seq;
          }
          const results: MutationResult[] = [];
          let gap = false;
          for (const m of batch) {
            const result = await decide(tx, actor, deviceId, m, deferred, m.seq <= claimedUpTo);
            if (result === GAP) {
              gap = true;
              break;
            }
            results.push(result);
          }
          effects.announce(await writeDeferred(tx, deviceId, deferred));
          effects.send(...deferred.outgoing);
          stored = deferred.changes.filter((c): c is MessageChange => c.kind === 'message');
          return { results, gap };
        });
        // Hook for effects of stored messages (push notifications), after commit.
        if (stored.length > 0) options.onMessages?.(stored);
        return outcome;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        if (!isRaceError(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  return async function push(
    actor: Actor,
    deviceId: string,
    mutations: Mutation[]
  ): Promise<MutationResult[]> {
    const results: MutationResult[] = [];
    for (let start = 0; start < mutations.length; start += perCommit) {
      const batch = mutations.slice(start, start + perCommit);
      let outcome: { results: MutationResult[]; gap: boolean };
      try {
        outcome = await commitBatch(actor, deviceId, batch);
      } catch (error) {
        if (batch.length === 1 || error instanceof DomainError) throw error;
        // Something unexpected in a shared commit: decide each one alone, so that only the
        // failing mutation (and those behind it) is left for the device to push again.
        outcome = { results: [], gap: false };
        for (const m of batch) {
          const single = await commitBatch(actor, deviceId, [m]);
          outcome.results.push(...single.results);
          if (single.gap) {
            outcome.gap = true;
            break;
          }
        }
      }
      results.push(...outcome.results);
      if (outcome.gap) {
        results.push(...mutations.slice(results.length).map(sequenceGap));
        break;
      }
    }
    return results;
  };
}
