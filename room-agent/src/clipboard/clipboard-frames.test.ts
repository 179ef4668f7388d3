import { describe, expect, it } from 'vitest';
import {
  ClipboardFrameError,
  ClipboardFrameReader,
  encodePaste,
  type ClipboardHelperFrame,
} from './clipboard-frames.js';

const frame = (kind: string, payload: string | Buffer): Buffer => {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head[0] = kind.charCodeAt(0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
};

describe('clipboard frames', () => {
  it('encodes a paste as a big-endian UTF-8 byte length and the UTF-8 bytes', () => {
    const text = 'Grüße €✓ 日本';
    const buf = encodePaste(text);
    const bytes = Buffer.byteLength(text, 'utf8');
    expect(bytes).toBe(21);
    expect(buf.readUInt32BE(0)).toBe(bytes);
    expect(buf.subarray(4).toString('utf8')).toBe(text);
  });

  it('reads ready, copied and refused frames, whatever the chunking (split inside a UTF-8 character)', () => {
    const stream = Buffer.concat([
      frame('R', ''),
      frame('C', 'Grüße €✓ 日本'),
      frame('X', 'too large'),
      frame('P', ''),
      frame('F', 'no'),
    ]);
    for (const step of [1, 2, 3, 7, stream.length]) {
      const got: ClipboardHelperFrame[] = [];
      const r = new ClipboardFrameReader(1024, (f) => got.push(f));
      for (let i = 0; i < stream.length; i += step) r.push(stream.subarray(i, i + step));
      expect(got, `step ${step}`).toEqual([
        { kind: 'ready' },
        { kind: 'copied', text: 'Grüße €✓ 日本' },
        { kind: 'refused', why: 'too large' },
        { kind: 'pasted' },
        { kind: 'paste-failed', why: 'no' },
      ]);
    }
  });

  it('refuses an unknown kind and a payload over the limit before buffering it', () => {
    expect(() => new ClipboardFrameReader(1024, () => {}).push(frame('Q', ''))).toThrow(ClipboardFrameError);
    const huge = Buffer.alloc(5);
    huge[0] = 'C'.charCodeAt(0);
    huge.writeUInt32BE(1025, 1);
    expect(() => new ClipboardFrameReader(1024, () => {}).push(huge)).toThrow(/1025 bytes \(limit 1024\)/);
  });
});
