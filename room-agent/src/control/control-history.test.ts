import { describe, expect, it } from 'vitest';
import type { ControlState } from '@boxroom/contracts';
import { ControlHistory } from './control-history.js';

const state = (seq: number): ControlState => ({ seq, holder: null, queue: [], locked: false });
const change = (seq: number) => ({
  state: state(seq),
  reason: 'release' as const,
  by: 'a',
  previousHolder: null,
  holderChanged: false,
});

describe('ControlHistory', () => {
  it('keeps the most recent changes, oldest first, and filters by seq', () => {
    const h = new ControlHistory(3, () => 42);
    for (let seq = 1; seq <= 5; seq++) h.record(change(seq));
    expect(h.since().map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(h.since(4)).toEqual([{ seq: 5, at: 42, reason: 'release', by: 'a', state: state(5) }]);
    expect(h.since(5)).toEqual([]);
  });
});
