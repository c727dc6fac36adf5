// liveQuery as a rune: a component reads `.current`, which follows IndexedDB (from any tab).
import { liveQuery } from 'dexie';
import { db, isClosedError, reopen } from './index';

/**
 * Subscribes while the component that creates it is mounted. `query` is read inside an effect:
 * reactive values it reads first (a route param) resubscribe when they change, and it returns the
 * IndexedDB query to watch. A connection closed under us is reopened and the query resubscribed,
 * so the screen recovers instead of showing an error.
 */
export class Live<T> {
  current = $state.raw<T>() as T;
  /** False until the first answer from IndexedDB (to tell "empty" from "not read yet"). */
  ready = $state(false);

  /**
   * `prefetched`: the same query started earlier (while the app was still opening), shown as soon
   * as it resolves instead of waiting for the subscription's first answer.
   */
  constructor(initial: T, query: () => () => Promise<T>, prefetched?: Promise<T>) {
    this.current = initial;
    prefetched?.then(
      (value) => {
        if (this.ready) return;
        this.current = value;
        this.ready = true;
      },
      () => undefined
    );
    $effect(() => {
      const querier = query();
      let subscription: { unsubscribe(): void } | null = null;
      let stopped = false;
      const subscribe = () => {
        subscription = liveQuery(querier).subscribe({
          next: (value) => {
            this.current = value;
            this.ready = true;
          },
          error: (error: unknown) => {
            if (stopped || !isClosedError(error)) return;
            db.close({ disableAutoOpen: false });
            reopen(db).then(subscribe, () => undefined);
          }
        });
      };
      subscribe();
      return () => {
        stopped = true;
        subscription?.unsubscribe();
      };
    });
  }
}
