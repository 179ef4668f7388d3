import { describe, expect, it } from 'vitest';
import { containBox, fromRemote, toRemote } from './overlay-geometry.js';

describe('containBox (object-fit: contain)', () => {
  it('letterboxes top and bottom when the element is taller than the picture', () => {
    expect(containBox(1000, 800, 1280, 720)).toEqual({ left: 0, top: 118.75, width: 1000, height: 562.5 });
  });

  it('pillarboxes left and right when the element is wider', () => {
    expect(containBox(1600, 720, 1280, 720)).toEqual({ left: 160, top: 0, width: 1280, height: 720 });
  });

  it('fills exactly at the same aspect ratio, scaling up too', () => {
    expect(containBox(1920, 1080, 1280, 720)).toEqual({ left: 0, top: 0, width: 1920, height: 1080 });
  });

  it('a phone in portrait', () => {
    const b = containBox(370, 400, 1280, 720);
    expect(b.width).toBe(370);
    expect(b.height).toBeCloseTo(208.125, 6);
    expect(b.top).toBeCloseTo((400 - 208.125) / 2, 6);
  });

  it('degenerate sizes: no element gives an empty box, unknown media fills the element', () => {
    expect(containBox(0, 500, 1280, 720)).toEqual({ left: 0, top: 0, width: 0, height: 0 });
    expect(containBox(640, 480, 0, 0)).toEqual({ left: 0, top: 0, width: 640, height: 480 });
  });
});

describe('toRemote / fromRemote', () => {
  const box = containBox(937, 690, 1280, 720);

  it('round-trips every sampled remote pixel within half a pixel', () => {
    for (let x = 0; x < 1280; x += 37) {
      for (let y = 0; y < 720; y += 29) {
        const p = fromRemote(x, y, box, 1280, 720);
        expect(toRemote(p.x, p.y, box, 1280, 720)).toEqual({ x, y });
      }
    }
  });

  it('answers null on the letterbox', () => {
    expect(toRemote(10, box.top - 1, box, 1280, 720)).toBeNull();
    expect(toRemote(10, box.top + box.height + 1, box, 1280, 720)).toBeNull();
  });

  it('maps the content box corners to the screen corners, at any device pixel ratio (CSS px)', () => {
    expect(toRemote(box.left, box.top, box, 1280, 720)).toEqual({ x: 0, y: 0 });
    expect(toRemote(box.left + box.width - 0.01, box.top + box.height - 0.01, box, 1280, 720)).toEqual({
      x: 1279,
      y: 719,
    });
  });
});
