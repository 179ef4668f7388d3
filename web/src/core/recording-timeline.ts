import type { RecordingTimelineEntry } from '@boxroom/contracts';

/** Who is named by a timeline entry (control's holder, join/leave's participant). */
export interface TimelinePerson {
  id: string;
  name: string;
}

/** One stretch of the recording during which one person held control. */
export interface ControlSpan {
  startS: number;
  endS: number;
  holder: TimelinePerson;
  colour: string;
}

/** A point on the scrubber: something that happened at `t`, in words. */
export interface TimelineMark {
  t: number;
  type: RecordingTimelineEntry['type'];
  label: string;
}

/**
 * Distinct on the dark theme and from the accent. Holders take them in the order they first held
 * control (a hash of the id let two of three people share one), so the first eight differ.
 */
export const HOLDER_PALETTE = [
  '#3ecf8e',
  '#f5b94a',
  '#c77dff',
  '#4cc9f0',
  '#ff8fab',
  '#a3e635',
  '#fb923c',
  '#94a3b8',
];

function person(v: unknown): TimelinePerson | null {
  if (!v || typeof v !== 'object') return null;
  const p = v as { id?: unknown; name?: unknown };
  return typeof p.id === 'string' ? { id: p.id, name: typeof p.name === 'string' ? p.name : p.id } : null;
}

const byTime = (events: readonly RecordingTimelineEntry[]) =>
  events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);

/**
 * Who had control when, as spans over [0, durationS]: a `control` entry ends the span before it and
 * starts one for its holder (none when the holder is null); `recording.stop` ends the last. Spans of
 * no length are dropped; times past the duration are clipped (events can run a little ahead of the
 * media on a growing recording).
 */
export function controlSpans(events: readonly RecordingTimelineEntry[], durationS: number): ControlSpan[] {
  const end = Math.max(0, durationS);
  const spans: ControlSpan[] = [];
  const colours = new Map<string, string>();
  const colourOf = (id: string) => {
    if (!colours.has(id)) colours.set(id, HOLDER_PALETTE[colours.size % HOLDER_PALETTE.length]!);
    return colours.get(id)!;
  };
  let open: { startS: number; holder: TimelinePerson } | null = null;
  const close = (t: number) => {
    if (!open) return;
    const endS = Math.min(t, end);
    if (endS > open.startS) spans.push({ ...open, endS, colour: colourOf(open.holder.id) });
    open = null;
  };
  for (const e of byTime(events)) {
    if (e.type === 'control') {
      close(e.t);
      const holder = person(e.holder);
      if (holder && e.t < end) open = { startS: Math.max(0, e.t), holder };
    } else if (e.type === 'recording.stop') {
      close(e.t);
    }
  }
  close(end);
  return spans;
}

/** The span under `t`, if any (the scrubber's hover label). */
export function spanAt(spans: readonly ControlSpan[], t: number): ControlSpan | null {
  return spans.find((s) => t >= s.startS && t < s.endS) ?? null;
}

/** One entry in words, for the scrubber's marks and their titles. */
export function describeEntry(e: RecordingTimelineEntry): string {
  switch (e.type) {
    case 'recording.start':
      return 'recording started';
    case 'recording.stop':
      return 'recording stopped';
    case 'discontinuity':
      return 'the stream restarted';
    case 'control': {
      const holder = person(e.holder);
      return holder ? `${holder.name} took control` : 'control released';
    }
    case 'join':
      return `${person(e.participant)?.name ?? 'someone'} joined`;
    case 'leave':
      return `${person(e.participant)?.name ?? 'someone'} left`;
    case 'warning':
      return typeof e.message === 'string' ? e.message : `warning: ${String(e.reason ?? '')}`;
  }
}

/**
 * The points drawn on the scrubber (control changes are the spans, start and stop are its ends):
 * joins, leaves, warnings and discontinuities, within [0, durationS].
 */
export function timelineMarks(events: readonly RecordingTimelineEntry[], durationS: number): TimelineMark[] {
  return byTime(events)
    .filter((e) => e.type !== 'control' && e.type !== 'recording.start' && e.type !== 'recording.stop')
    .filter((e) => e.t >= 0 && e.t <= durationS)
    .map((e) => ({ t: e.t, type: e.type, label: describeEntry(e) }));
}
