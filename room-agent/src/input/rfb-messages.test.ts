import { describe, expect, it } from 'vitest';
import {
  decodeClientCutText,
  encodeClientCutText,
  encodeKeyEvent,
  encodePointerEvent,
  encodeQemuKeyEvent,
  KEY_EVENT_BYTES,
  KEYSYM,
  POINTER_EVENT_BYTES,
  QEMU_EXTENDED_KEY_EVENT_BYTES,
  writeKeyEvent,
  writePointerEvent,
} from './rfb-messages.js';

describe('rfb-messages', () => {
  it('encodes KeyEvent: type 4, down flag, 2 padding bytes, big-endian keysym', () => {
    expect([...encodeKeyEvent(true, KEYSYM.shiftL)]).toEqual([4, 1, 0, 0, 0x00, 0x00, 0xff, 0xe1]);
    expect([...encodeKeyEvent(false, 0x1008ff13)]).toEqual([4, 0, 0, 0, 0x10, 0x08, 0xff, 0x13]);
    expect(encodeKeyEvent(true, 1)).toHaveLength(KEY_EVENT_BYTES);
  });

  it('encodes PointerEvent: type 5, button mask, big-endian x and y', () => {
    expect([...encodePointerEvent(1, 0x0102, 0x0304)]).toEqual([5, 1, 0x01, 0x02, 0x03, 0x04]);
    expect([...encodePointerEvent(0, 65535, 0)]).toEqual([5, 0, 0xff, 0xff, 0, 0]);
    expect(encodePointerEvent(0, 0, 0)).toHaveLength(POINTER_EVENT_BYTES);
  });

  it('encodes the QEMU extended key event: 255, sub-type 0, u16 down, keysym, keycode', () => {
    expect([...encodeQemuKeyEvent(true, 0x61, 0x1e)]).toEqual([255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e]);
    expect(encodeQemuKeyEvent(false, 0, 0x9d)).toHaveLength(QEMU_EXTENDED_KEY_EVENT_BYTES);
  });

  it('writes back to back into one buffer and returns the next offset', () => {
    const buf = Buffer.alloc(KEY_EVENT_BYTES + POINTER_EVENT_BYTES);
    const off = writeKeyEvent(buf, 0, false, KEYSYM.a);
    expect(off).toBe(8);
    expect(writePointerEvent(buf, off, 0, 10, 20)).toBe(14);
    expect([...buf]).toEqual([4, 0, 0, 0, 0, 0, 0, 0x61, 5, 0, 0, 10, 0, 20]);
  });

  it('decodes ClientCutText as Latin-1 and refuses the extended form (negative length)', () => {
    const msg = encodeClientCutText('Grüße é');
    expect([...msg.subarray(0, 8)]).toEqual([6, 0, 0, 0, 0, 0, 0, 7]);
    expect(decodeClientCutText(msg)).toBe('Grüße é');
    // a standard client cannot say more than Latin-1: what it cannot encode never arrives as such
    expect(decodeClientCutText(encodeClientCutText('€'))).not.toBe('€');
    const extended = Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 1]);
    expect(decodeClientCutText(extended)).toBeNull();
  });
});
