import type { Recording } from '@boxroom/contracts';

/** Newest first (the API's order; kept here too so the page does not depend on it). */
export function newestFirst(recordings: readonly Recording[]): Recording[] {
  return [...recordings].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

/** The recording a room link opens directly (`#invite=...&recording=<id>`), or null. */
export function recordingFromHash(hash: string): string | null {
  const v = new URLSearchParams(hash.replace(/^#/, '')).get('recording');
  return v && /^[A-Za-z0-9_-]{1,100}$/.test(v) ? v : null;
}

/** The fragment with `recording` set (or removed with null); the invite and the rest stay. */
export function hashWithRecording(hash: string, recordingId: string | null): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (recordingId) params.set('recording', recordingId);
  else params.delete('recording');
  const s = params.toString();
  return s ? `#${s}` : '';
}
