import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../tests/support/harness.ts';
import type { Outgoing } from '../messaging/transports.ts';
import type { Db, Store } from '../store/index.ts';
import { withEffects, type Outbox } from './effects.ts';
import type { ChangeNotice } from './sync/changes.ts';

let store: Store;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ store, dispose } = await openTestStore());
});
afterEach(() => dispose());

/** Records what the runner did, and in which order. */
function recordingPorts() {
  const log: string[] = [];
  const published: ChangeNotice[] = [];
  const notifier: Outbox = {
    enqueue: (_tx: Db, ...messages: Outgoing[]) => {
      log.push(`enqueue ${messages.length}`);
      return Promise.resolve();
    },
    wake: () => log.push('wake')
  };
  const feed = (notices: ChangeNotice[]) => {
    log.push('publish');
    published.push(...notices);
  };
  return { ports: { store, feed, notifier }, log, published };
}

const email: Outgoing = { channel: 'email', to: 'sam@example.org', subject: 'Hi', text: 'Hi' };

describe('withEffects', () => {
  it('queues messages in the transaction, then publishes and wakes the queue after commit', async () => {
    const { ports, log, published } = recordingPorts();
    const result = await withEffects(ports, (_tx, effects) => {
      effects.announce([{ userId: 'u1', cursor: 3 }]);
      effects.send(email);
      log.push('work done');
      return Promise.resolve('value');
    });
    expect(result).toBe('value');
    expect(log).toEqual(['work done', 'enqueue 1', 'publish', 'wake']);
    expect(published).toEqual([{ userId: 'u1', cursor: 3 }]);
  });

  it('publishes nothing when the transaction fails', async () => {
    const { ports, log } = recordingPorts();
    await expect(
      withEffects(ports, (_tx, effects) => {
        effects.announce([{ userId: 'u1', cursor: 3 }]);
        effects.send(email);
        return Promise.reject(new Error('rolled back'));
      })
    ).rejects.toThrow('rolled back');
    expect(log).toEqual([]);
  });

  it('neither publishes nor wakes when nothing was recorded', async () => {
    const { ports, log } = recordingPorts();
    await withEffects(ports, () => Promise.resolve());
    expect(log).toEqual([]);
  });
});
