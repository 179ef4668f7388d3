import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import type { StoreChange } from './state-store.js';
import { StoreMirror } from './store-mirror.js';

const log = pino({ level: 'silent' });

/** A store part whose loads answer when the test says, with what it held when the load began. */
function slowStore() {
  let value = 0;
  const listeners = new Set<(c: StoreChange) => void>();
  const pending: Array<() => void> = [];
  let loads = 0;
  return {
    set: (v: number) => (value = v),
    announce: () => listeners.forEach((l) => l({ kind: 'rights', room: 'r' })),
    /** answers the oldest load in flight */
    answer: () => pending.shift()?.(),
    get inFlight() {
      return pending.length;
    },
    get loads() {
      return loads;
    },
    store: {
      onChange(l: (c: StoreChange) => void) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    load: () => {
      loads++;
      const seen = value;
      return new Promise<number>((resolve) => pending.push(() => resolve(seen)));
    },
  };
}

describe('StoreMirror', () => {
  it('coalesces changes into one more load, and never applies a load older than a local write', async () => {
    const s = slowStore();
    let copy = -1;
    const mirror = new StoreMirror({
      store: s.store,
      kind: 'rights',
      load: s.load,
      apply: (v) => (copy = v),
      log,
    });
    const opened = mirror.open();
    s.answer();
    await opened;
    expect(copy).toBe(0);

    // another replica writes 1; the reload starts, then this process writes 2 and updates its copy
    s.set(1);
    s.announce();
    s.announce();
    s.announce();
    expect(s.inFlight).toBe(1);
    s.set(2);
    mirror.wrote();
    copy = 2;
    // the load in flight answers 1 (it began before the write): not applied, but redone
    s.answer();
    await until(() => s.inFlight === 1);
    expect(copy).toBe(2);
    s.answer();
    // then the one queued reload for the three announcements
    await until(() => s.inFlight === 1);
    s.answer();
    await until(() => s.inFlight === 0);
    expect(copy).toBe(2);
    expect(s.loads).toBe(4);
    mirror.close();
    s.announce();
    expect(s.inFlight).toBe(0);
  });

  it('refuses to open when the first load fails', async () => {
    const mirror = new StoreMirror({
      store: { onChange: () => () => {} },
      kind: 'invites',
      load: () => Promise.reject(new Error('no database')),
      apply: () => {},
      log,
    });
    await expect(mirror.open()).rejects.toThrow('no database');
  });
});
