import { describe, expect, it } from 'vitest';
import { buildPlaylist, mediaDurationS, parsePartPlaylist, segmentsAround } from './hls-playlist.js';

const PART = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-MAP:URI="init.mp4"
#EXTINF:2.000000,
seg-00000.m4s
#EXTINF:1.500000,
seg-00001.m4s
#EXTINF:2.1,`;

describe('HLS playlists of a recording', () => {
  it('lists the complete segments of a part (an EXTINF without its URI is not one yet)', () => {
    expect(parsePartPlaylist(PART)).toEqual([
      { uri: 'seg-00000.m4s', durationS: 2 },
      { uri: 'seg-00001.m4s', durationS: 1.5 },
    ]);
    expect(parsePartPlaylist('')).toEqual([]);
  });

  it('joins parts behind discontinuities with their own init segment; ENDLIST once finished', () => {
    const parts = [
      { n: 0, segments: parsePartPlaylist(PART) },
      { n: 1, segments: [] },
      { n: 2, segments: [{ uri: 'seg-00000.m4s', durationS: 2.6 }] },
    ];
    const live = buildPlaylist(parts, false, (p) => `media/${p}?sig=x`);
    expect(live).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(live).not.toContain('#EXT-X-ENDLIST');
    expect(live).toContain('#EXT-X-TARGETDURATION:3');
    const lines = buildPlaylist(parts, true, (p) => p)
      .trim()
      .split('\n');
    expect(lines.slice(6)).toEqual([
      '#EXT-X-MAP:URI="p0/init.mp4"',
      '#EXTINF:2.000000,',
      'p0/seg-00000.m4s',
      '#EXTINF:1.500000,',
      'p0/seg-00001.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="p2/init.mp4"',
      '#EXTINF:2.600000,',
      'p2/seg-00000.m4s',
      '#EXT-X-ENDLIST',
    ]);
    expect(lines[4]).toBe('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(mediaDurationS(parts)).toBeCloseTo(6.1);
  });

  it('finds the segments around a time in the part that holds it', () => {
    const segs = (n: number) => Array.from({ length: n }, (_, i) => ({ uri: `s${i}`, durationS: 2 }));
    const parts = [
      { n: 0, offsetS: 0, segments: segs(3) },
      { n: 1, offsetS: 6.2, segments: segs(2) },
    ];
    expect(segmentsAround(parts, 0)).toEqual({ n: 0, files: ['s0', 's1'] });
    expect(segmentsAround(parts, 3)).toEqual({ n: 0, files: ['s0', 's1', 's2'] });
    expect(segmentsAround(parts, 6.1)).toEqual({ n: 0, files: ['s1', 's2'] });
    expect(segmentsAround(parts, 9)).toEqual({ n: 1, files: ['s0', 's1'] });
    expect(segmentsAround(parts, 10.5)).toEqual({ n: 1, files: ['s0', 's1'] });
    expect(segmentsAround(parts, 13)).toBeNull();
  });
});
