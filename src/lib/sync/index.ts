// Runs the sync engine in this browser: one tab at a time holds the `parley-sync` Web Lock and
// syncs; the others read IndexedDB, which Dexie keeps live across tabs.
import type { ParleyDB } from '$lib/db';
import { SyncEngine, type SyncStatus } from './engine';
import { httpTransport } from './transport';

export interface RunOptions {
  db: ParleyDB;
  userId: string;
  onStatus: (status: SyncStatus) => void;
  onUnauthenticated: () => void;
}

function socketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/sync/ws`;
}

/** Starts syncing (when this tab gets the lock). Returns a function that stops it. */
export function runSync({ db, userId, onStatus, onUnauthenticated }: RunOptions): () => void {
  const engine = new SyncEngine({
    db,
    transport: httpTransport(),
    userId,
    socketUrl,
    onStatus,
    onUnauthenticated
  });
  const controller = new AbortController();
  const online = () => engine.online();
  // Without it the browser may evict IndexedDB under storage pressure, outbox included.
  void navigator.storage?.persist?.().catch(() => false);

  const run = async () => {
    addEventListener('online', online);
    engine.start();
    await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
  };
  if ('locks' in navigator) {
    // Waits while another tab syncs; takes over when that tab closes.
    navigator.locks.request('parley-sync', { signal: controller.signal }, run).catch(() => {
      // Aborted while waiting (sign-out, page closing): nothing to undo.
    });
  } else {
    void run();
  }

  return () => {
    controller.abort();
    removeEventListener('online', online);
    engine.stop();
  };
}
