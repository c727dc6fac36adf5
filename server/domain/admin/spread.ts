// A switch's effect on existing chats, spread after its commit (docs/administration.md, Effects):
// the settings transaction only records a pending effect, whatever the number of chats; small
// transactions then bring the chats' views up to date, yielding to other writers between them.
// The rules never wait for this: they read the settings themselves.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { asc, eq } from 'drizzle-orm';
import { tables, type Db, type Store } from '../../store/index.ts';
import type { ChangeNotice } from '../sync/changes.ts';
import { applySwitchEffects, chatsOfMembersAfter, type Affected } from './effects.ts';

/** Chats per transaction: a few milliseconds of writing, so that no one waits long behind it. */
export const SPREAD_BATCH_CHATS = 25;
/**
 * Between two batches the spreader waits this many times as long as the last one took (within
 * bounds): at most a quarter of the writer's time goes to spreading, the rest to everyone else.
 */
const PAUSE_FACTOR = 3;
const PAUSE_MIN_MS = 2;
const PAUSE_MAX_MS = 200;
/** How often every instance looks for effects left over (a crash, another instance's). */
export const SPREAD_INTERVAL_MS = 30_000;

/**
 * In the transaction of a switch: records that the chats of `affected` are to be brought up to
 * date. An organization-wide effect covers its members' chats, so it replaces those pending.
 */
export async function queueSwitchEffects(tx: Db, affected: Affected, now: Date): Promise<void> {
  const { switchEffects: e } = tables;
  if (affected.memberId === undefined) {
    await tx.delete(e).where(eq(e.organizationId, affected.organizationId));
  }
  await tx.insert(e).values({
    id: randomUUID(),
    organizationId: affected.organizationId,
    memberId: affected.memberId ?? null,
    afterChatId: null,
    createdAt: now
  });
}

/**
 * One batch of the oldest pending effect, in one transaction: its next chats, and how far it
 * got (the row goes once its last chat is done). On PostgreSQL the row stays locked until
 * commit and other instances skip it. Returns null when nothing is pending.
 */
export async function spreadBatch(
  store: Store,
  now: Date,
  batchChats = SPREAD_BATCH_CHATS
): Promise<ChangeNotice[] | null> {
  const { switchEffects: e } = tables;
  return store.tx(async (tx) => {
    const oldest = tx.select().from(e).orderBy(asc(e.createdAt), asc(e.id)).limit(1);
    const [effect] = await (store.dialect === 'postgres'
      ? oldest.for('update', { skipLocked: true })
      : oldest);
    if (!effect) return null;
    const affected: Affected = {
      organizationId: effect.organizationId,
      ...(effect.memberId !== null && { memberId: effect.memberId })
    };
    const chatIds = await chatsOfMembersAfter(tx, affected, effect.afterChatId, batchChats);
    const notices = await applySwitchEffects(tx, affected, chatIds, now);
    const last = chatIds.at(-1);
    if (chatIds.length < batchChats || last === undefined) {
      await tx.delete(e).where(eq(e.id, effect.id));
    } else {
      await tx.update(e).set({ afterChatId: last }).where(eq(e.id, effect.id));
    }
    return notices;
  });
}

export type SpreaderOptions = {
  store: Store;
  now: () => Date;
  /** After each batch commits: tell devices (the real-time layer). */
  onChanges: (notices: ChangeNotice[]) => void;
  batchChats?: number;
};

/**
 * Runs the pending effects to their end, one batch at a time, pausing between batches
 * (`PAUSE_FACTOR`) so that other writers come first. One per process:
 * `kick` after a switch commits, `start` to resume what a crash left and to sweep periodically.
 */
export class EffectSpreader {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: SpreaderOptions) {}

  /** Spreads what is pending now; if a run is under way, it goes on to the new effect too. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves once nothing is being spread by this process. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Resumes at once, then looks again every `intervalMs`. */
  start(intervalMs = SPREAD_INTERVAL_MS): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /** Stops taking new batches and waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private async run(): Promise<void> {
    const { store, now, onChanges, batchChats } = this.options;
    try {
      while (!this.stopped) {
        const started = performance.now();
        const notices = await spreadBatch(store, now(), batchChats);
        if (notices === null) return;
        onChanges(notices);
        const took = performance.now() - started;
        const pause = Math.min(PAUSE_MAX_MS, Math.max(PAUSE_MIN_MS, PAUSE_FACTOR * took));
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } catch (error) {
      // Left pending: the next kick or sweep takes it up again where it stopped.
      console.error('[admin] could not spread a switch to its chats', error);
    }
  }
}
