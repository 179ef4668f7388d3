import { INIT_SEGMENT, partDirName } from './recorder-argv.js';

export interface Segment {
  /** file name inside its part's directory */
  uri: string;
  durationS: number;
}

export interface PartMedia {
  n: number;
  segments: Segment[];
}

/** The complete segments an ffmpeg listed in its part playlist (EVENT: only ever appended to). */
export function parsePartPlaylist(text: string): Segment[] {
  const out: Segment[] = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && duration !== null && Number.isFinite(duration)) {
      out.push({ uri: line, durationS: duration });
      duration = null;
    }
  }
  return out;
}

export const mediaDurationS = (parts: readonly PartMedia[]): number =>
  parts.reduce((sum, p) => sum + p.segments.reduce((s, g) => s + g.durationS, 0), 0);

/**
 * The recording's one playlist: every part's segments in order, each part after the first behind a
 * discontinuity with its own init segment. EVENT while recording (players may follow it live),
 * VOD with ENDLIST when finished. `uri` makes each file's URI (relative, signed when asked).
 */
export function buildPlaylist(
  parts: readonly PartMedia[],
  ended: boolean,
  uri: (path: string) => string,
): string {
  const withMedia = parts.filter((p) => p.segments.length > 0);
  const longest = Math.max(1, ...withMedia.flatMap((p) => p.segments.map((s) => s.durationS)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${Math.ceil(longest)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  withMedia.forEach((p, i) => {
    const dir = partDirName(p.n);
    if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-MAP:URI="${uri(`${dir}/${INIT_SEGMENT}`)}"`);
    for (const s of p.segments) lines.push(`#EXTINF:${s.durationS.toFixed(6)},`, uri(`${dir}/${s.uri}`));
  });
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * The segments around media time `t` (s) within the part that holds it, as files of its directory:
 * the one whose span (the part's offset plus the EXTINFs before it) holds `t`, with its neighbours
 * (EXTINFs are approximate: the frame may sit just across a boundary). null past the end.
 */
export function segmentsAround(
  parts: ReadonlyArray<PartMedia & { offsetS: number }>,
  t: number,
): { n: number; files: string[] } | null {
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (p.segments.length === 0 || t < p.offsetS) continue;
    let start = p.offsetS;
    let k = p.segments.findIndex((s) => {
      const hit = t < start + s.durationS;
      start += s.durationS;
      return hit;
    });
    if (k < 0) {
      // within the last segment's true end (its EXTINF is cut short), or past the end
      if (t > start + 2 * SEGMENT_SLACK_S) return null;
      k = p.segments.length - 1;
    }
    const files = p.segments.slice(Math.max(0, k - 1), k + 2).map((s) => s.uri);
    return { n: p.n, files };
  }
  return null;
}

/** How far past the playlists' sum a frame may still be asked for (the last EXTINF's error). */
const SEGMENT_SLACK_S = 1;
