import { describe, expect, it } from 'vitest';
import { exportArgs, frameArgs, recordArgs } from './recorder-argv.js';

describe('recorder argv', () => {
  it('copies FLV from stdin into 2 s fMP4 HLS segments, shifted to the part offset', () => {
    expect(recordArgs({ partDir: '/r/rec1/p2', offsetS: 12.3456 }).join(' ')).toBe(
      '-hide_banner -loglevel warning -analyzeduration 1000000 -f flv -i pipe:0 -map 0:v? -map 0:a? -c copy ' +
        '-output_ts_offset 12.346 -f hls -hls_time 2 -hls_segment_type fmp4 -hls_playlist_type event ' +
        '-hls_flags independent_segments+temp_file -hls_fmp4_init_filename init.mp4 ' +
        '-hls_segment_filename /r/rec1/p2/seg-%05d.m4s /r/rec1/p2/index.m3u8',
    );
  });

  it('remuxes the playlist into one MP4 without encoding', () => {
    const args = exportArgs({ playlist: '/r/x.m3u8', out: '/r/out.mp4' });
    expect(args).toEqual(expect.arrayContaining(['-c', 'copy', '+faststart']));
    expect(args.join(' ')).not.toMatch(/libx264|-c:v (?!copy)/);
    expect(args.at(-1)).toBe('/r/out.mp4');
  });

  it('decodes the frames of the 2 s before t from the segments given, keeping the last', () => {
    expect(
      frameArgs({ init: 'i.mp4', segments: ['a.m4s', 'b.m4s'], atS: 7.25, out: 'f.jpg' }).join(' '),
    ).toBe(
      '-hide_banner -loglevel error -y -seek_timestamp 1 -ss 5.250 -t 2.001 -i concat:i.mp4|a.m4s|b.m4s ' +
        '-map 0:v -update 1 -q:v 4 -f image2 f.jpg',
    );
    expect(frameArgs({ init: 'i', segments: ['a'], atS: 0, out: 'f' })).toEqual(
      expect.arrayContaining(['-ss', '0.000', '-t', '0.050']),
    );
  });
});
