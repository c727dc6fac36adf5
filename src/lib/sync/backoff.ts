// Retry delays: exponential with jitter, so a thousand devices coming back online do not all knock
// on the server in the same second.

export interface Clock {
  setTimeout: (run: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  random: () => number;
}

export const realClock: Clock = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random()
};

/**
 * Delay before retry number `attempt` (0-based): 1 s, 2 s, 4 s… capped at `maxMs`, each drawn
 * between half and all of its step ("equal jitter"), so retries spread out but still grow.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 1000, maxMs = 60_000) {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
