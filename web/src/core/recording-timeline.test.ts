import { describe, expect, it } from 'vitest';
import type { RecordingTimelineEntry } from '@boxroom/contracts';
import { HOLDER_PALETTE, controlSpans, describeEntry, spanAt, timelineMarks } from './recording-timeline.js';

const alice = { id: 'p-alice', name: 'alice' };
const bob = { id: 'p-bob', name: 'bob' };
const control = (t: number, holder: typeof alice | null): RecordingTimelineEntry => ({
  t,
  type: 'control',
  holder,
  reason: holder ? 'request' : 'release',
});

describe('controlSpans', () => {
  it('gives each holder a span until the next change, the last until the end', () => {
    const events: RecordingTimelineEntry[] = [
      { t: 0, type: 'recording.start' },
      control(2, alice),
      control(7.5, bob),
      control(12, null),
      control(15, alice),
    ];
    const spans = controlSpans(events, 20);
    expect(spans.map((s) => [s.holder.name, s.startS, s.endS])).toEqual([
      ['alice', 2, 7.5],
      ['bob', 7.5, 12],
      ['alice', 15, 20],
    ]);
    // one colour per person, in the order they first held control
    expect(spans.map((s) => s.colour)).toEqual([HOLDER_PALETTE[0], HOLDER_PALETTE[1], HOLDER_PALETTE[0]]);
  });

  it('sorts by time, ends at recording.stop, clips to the duration, drops empty spans', () => {
    const events: RecordingTimelineEntry[] = [
      control(9, bob),
      control(3, alice),
      control(9, alice), // bob's span has no length
      { t: 14, type: 'recording.stop' },
      control(30, bob), // past the media: nothing
    ];
    expect(controlSpans(events, 25).map((s) => [s.holder.name, s.startS, s.endS])).toEqual([
      ['alice', 3, 9],
      ['alice', 9, 14],
    ]);
    expect(controlSpans([control(2, alice)], 10)).toHaveLength(1);
    expect(controlSpans([control(2, alice)], 1)).toEqual([]);
  });

  it('ignores a holder it cannot read', () => {
    expect(controlSpans([{ t: 1, type: 'control', holder: 'nobody' }], 5)).toEqual([]);
  });

  it('finds the span under a time', () => {
    const spans = controlSpans([control(2, alice), control(5, bob)], 10);
    expect(spanAt(spans, 1)).toBeNull();
    expect(spanAt(spans, 2)?.holder.name).toBe('alice');
    expect(spanAt(spans, 5)?.holder.name).toBe('bob');
    expect(spanAt(spans, 10)).toBeNull();
  });
});

describe('timelineMarks', () => {
  it('marks joins, leaves, warnings and discontinuities in words, in order', () => {
    const events: RecordingTimelineEntry[] = [
      { t: 0, type: 'recording.start' },
      { t: 8, type: 'leave', participant: bob },
      { t: 1, type: 'join', participant: bob },
      control(2, alice),
      { t: 5, type: 'discontinuity' },
      { t: 6, type: 'warning', reason: 'room-expiring', message: 'The room ends in a minute.' },
      { t: 99, type: 'join', participant: alice },
    ];
    expect(timelineMarks(events, 20)).toEqual([
      { t: 1, type: 'join', label: 'bob joined' },
      { t: 5, type: 'discontinuity', label: 'the stream restarted' },
      { t: 6, type: 'warning', label: 'The room ends in a minute.' },
      { t: 8, type: 'leave', label: 'bob left' },
    ]);
  });

  it('describes control changes', () => {
    expect(describeEntry(control(1, alice))).toBe('alice took control');
    expect(describeEntry(control(1, null))).toBe('control released');
  });
});
