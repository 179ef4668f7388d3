import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The mean colour (0-255 per channel) of a PNG: 8-bit RGB or RGBA, not interlaced, which is what
 * browsers' screenshots are (alpha is ignored). Anything else throws: the bench reads only its own
 * screenshots, and a wrong mean would be a wrong measurement.
 */
export function pngMeanRgb(png: Uint8Array): [number, number, number] {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      channels = colour === 2 ? 3 : colour === 6 ? 4 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(`PNG not 8-bit RGB(A) without interlace (depth ${depth}, colour type ${colour})`);
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error('PNG without a picture');
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG data shorter than its picture');
  const sum = [0, 0, 0];
  let prev = new Uint8Array(stride);
  let row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    unfilter(filter, src, row, prev, channels);
    for (let x = 0; x < stride; x += channels) {
      sum[0]! += row[x]!;
      sum[1]! += row[x + 1]!;
      sum[2]! += row[x + 2]!;
    }
    [prev, row] = [row, prev];
  }
  const n = width * height;
  return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
}

/** One row's filter undone (PNG's five filter types), into `out`; `prev` is the row above, unfiltered. */
function unfilter(filter: number, src: Uint8Array, out: Uint8Array, prev: Uint8Array, bpp: number): void {
  for (let i = 0; i < src.length; i++) {
    const a = i >= bpp ? out[i - bpp]! : 0;
    const b = prev[i]!;
    const c = i >= bpp ? prev[i - bpp]! : 0;
    let p: number;
    switch (filter) {
      case 0:
        p = 0;
        break;
      case 1:
        p = a;
        break;
      case 2:
        p = b;
        break;
      case 3:
        p = (a + b) >> 1;
        break;
      case 4: {
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        break;
      }
      default:
        throw new Error(`PNG row filter ${filter} unknown`);
    }
    out[i] = (src[i]! + p) & 0xff;
  }
}
