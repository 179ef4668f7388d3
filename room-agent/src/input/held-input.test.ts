import { describe, expect, it } from 'vitest';
import { HeldInput } from './held-input.js';
import { encodeKeyEvent, encodePointerEvent, encodeQemuKeyEvent, KEYSYM } from './rfb-messages.js';

describe('HeldInput.encodeReleases', () => {
  it('releases buttons at the last position first, then QEMU keys and keys in reverse press order', () => {
    const held = new HeldInput();
    held.key(true, KEYSYM.controlL);
    held.key(true, KEYSYM.altL);
    held.qemuKey(true, 0, 0x53);
    held.pointer(1, 640, 360);
    const expected = Buffer.concat([
      encodePointerEvent(0, 640, 360),
      encodeQemuKeyEvent(false, 0, 0x53),
      encodeKeyEvent(false, KEYSYM.altL),
      encodeKeyEvent(false, KEYSYM.controlL),
    ]);
    expect(held.encodeReleases()).toEqual(expected);
  });

  it('sends no pointer event when no button is down (it would move the pointer for nothing)', () => {
    const held = new HeldInput();
    held.pointer(0, 5, 5);
    held.key(true, KEYSYM.shiftL);
    expect(held.encodeReleases()).toEqual(encodeKeyEvent(false, KEYSYM.shiftL));
    held.clear();
    expect(held.encodeReleases()).toBeNull();
  });

  it('for a fresh x11vnc client: the held mask again, then 0 (x11vnc injects only changes per client)', () => {
    const held = new HeldInput();
    held.pointer(5, 10, 20);
    held.key(true, KEYSYM.shiftL);
    expect(held.encodeReleases({ freshClient: true })).toEqual(
      Buffer.concat([
        encodePointerEvent(5, 10, 20),
        encodePointerEvent(0, 10, 20),
        encodeKeyEvent(false, KEYSYM.shiftL),
      ]),
    );
    held.pointer(0, 10, 20);
    expect(held.encodeReleases({ freshClient: true })).toEqual(encodeKeyEvent(false, KEYSYM.shiftL));
  });
});
