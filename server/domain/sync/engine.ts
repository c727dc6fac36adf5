// The sync engine: the push pipeline (push.ts) and the read side (reads.ts) over one store, as
// the routes and the real-time hub reach them. docs/sync-protocol.md is the contract.
import { createPushPipeline, type PushOptions } from './push.ts';
import { createSyncReads } from './reads.ts';

export type SyncEngineOptions = PushOptions;

export type SyncEngine = ReturnType<typeof createSyncEngine>;

export function createSyncEngine(options: SyncEngineOptions) {
  return { push: createPushPipeline(options), ...createSyncReads(options.store) };
}
