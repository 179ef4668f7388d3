import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngMeanRgb } from '../../bench/lib/png-mean.js';

/**
 * A 10x6 frame of ffmpeg's testsrc2, written by ffmpeg's PNG encoder with each of its row predictors
 * (`-pred mixed` uses sub, up and paeth; `avg` and `none` the other two). Its mean colour, from the
 * same frame as raw RGB: 75.6, 75.4667, 50.4667.
 */
const FIXTURES: Record<string, string> = {
  'RGB, rows sub/up/paeth':
    'iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGCAIAAAB1kpiRAAAACXBIWXMAAAABAAAAAQBPJcTWAAAALElEQVR4nGP8ywACzP9A5N//YDaE858RSDAx4AUsUNoBTPxH4tgzENZNmTQA5e0ICtOdguQAAAAASUVORK5CYII=',
  'RGBA, rows avg':
    'iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGCAYAAAD68A/GAAAACXBIWXMAAAABAAAAAQBPJcTWAAAATklEQVR4nGP8y8DwnwEImP8xgMHf/xCaGSbwnxHCr2dgaAAxmuoh4lCKoQkm0ICucD+QWMDAsB+IFwDxo0eoAgiF8hADoBRQIaoA9RUCALkPIhVde8DOAAAAAElFTkSuQmCC',
  'RGB, rows unfiltered':
    'iVBORw0KGgoAAAANSUhEUgAAAAoAAAAGCAIAAAB1kpiRAAAACXBIWXMAAAABAAAAAQBPJcTWAAAAKUlEQVR4nGP4y8AARAz/QOjvXxCCcv7/ByHipO1AyNYWhKAcOzCipTQAjsUvPeLWM4gAAAAASUVORK5CYII=',
};

/** A PNG with one IHDR and one IDAT (CRCs are not checked by the reader, so left 0). */
function png(ihdr: number[], rows: Buffer): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body, Buffer.alloc(4)]);
  };
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', Buffer.from(ihdr)),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('pngMeanRgb', () => {
  for (const [name, b64] of Object.entries(FIXTURES))
    it(`reads ffmpeg's PNG: ${name}`, () => {
      const [r, g, b] = pngMeanRgb(Buffer.from(b64, 'base64'));
      expect(r).toBeCloseTo(75.6, 3);
      expect(g).toBeCloseTo(75.4667, 3);
      expect(b).toBeCloseTo(50.4667, 3);
    });

  it('reads a one-colour picture as that colour', () => {
    // 2x2 RGB: two rows, filter 0, pure yellow
    const rows = Buffer.from([0, 255, 255, 0, 255, 255, 0, 0, 255, 255, 0, 255, 255, 0]);
    expect(pngMeanRgb(png([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0], rows))).toEqual([255, 255, 0]);
  });

  it('refuses what it cannot read rather than guess', () => {
    expect(() => pngMeanRgb(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
    const rows = Buffer.from([0, 1, 2, 0, 3, 4]);
    // 16-bit, palette, interlaced
    expect(() => pngMeanRgb(png([0, 0, 0, 1, 0, 0, 0, 1, 16, 2, 0, 0, 0], rows))).toThrow(/8-bit/);
    expect(() => pngMeanRgb(png([0, 0, 0, 1, 0, 0, 0, 1, 8, 3, 0, 0, 0], rows))).toThrow(/8-bit/);
    expect(() => pngMeanRgb(png([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 1], rows))).toThrow(/interlace/);
    // a row filter that does not exist; data shorter than the picture
    expect(() => pngMeanRgb(png([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0], Buffer.from([7, 1, 2, 3])))).toThrow(
      /filter 7/,
    );
    expect(() => pngMeanRgb(png([0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0], rows))).toThrow(/shorter/);
  });
});
