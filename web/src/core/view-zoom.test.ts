import { describe, expect, it } from 'vitest';
import { fromRemote, toRemote } from './overlay-geometry.js';
import { MAX_ZOOM, UNZOOMED, clampView, pinchView, zoomBox } from './view-zoom.js';

const W = 400;
const H = 300;
const p = (x: number, y: number) => ({ x, y });

describe('pinchView', () => {
  it('fingers spreading to twice their distance double the scale about their midpoint', () => {
    const v = pinchView(UNZOOMED, p(150, 150), p(250, 150), p(100, 150), p(300, 150), W, H);
    expect(v.scale).toBeCloseTo(2);
    // the content point under the midpoint (200, 150) is still under it
    expect(v.x + 200 * v.scale).toBeCloseTo(200);
    expect(v.y + 150 * v.scale).toBeCloseTo(150);
  });

  it('the midpoint moving pans the view with the fingers', () => {
    const start = { scale: 2, x: -200, y: -150 };
    const v = pinchView(start, p(150, 150), p(250, 150), p(120, 130), p(220, 130), W, H);
    expect(v.scale).toBeCloseTo(2);
    expect(v.x).toBeCloseTo(-230);
    expect(v.y).toBeCloseTo(-170);
  });

  it('stays between 1 and MAX_ZOOM, and the zoomed stage always covers the stage', () => {
    expect(pinchView(UNZOOMED, p(100, 100), p(300, 100), p(190, 100), p(210, 100), W, H)).toEqual(UNZOOMED);
    const far = pinchView(UNZOOMED, p(199, 150), p(201, 150), p(0, 150), p(400, 150), W, H);
    expect(far.scale).toBe(MAX_ZOOM);
    const edge = pinchView(UNZOOMED, p(0, 0), p(50, 0), p(0, 0), p(100, 0), W, H);
    expect(edge).toEqual({ scale: 2, x: 0, y: 0 });
    expect(clampView({ scale: 2, x: 50, y: -1000 }, W, H)).toEqual({ scale: 2, x: 0, y: -300 });
  });
});

describe('zoomBox keeps the overlay on the zoomed picture', () => {
  it('a remote pixel is at the same stage point in the zoomed picture and in the zoomed overlay', () => {
    const box = { left: 0, top: 37.5, width: 400, height: 225 }; // 1280x720 letterboxed in 400x300
    const view = { scale: 3, x: -500, y: -260 };
    const zoomed = zoomBox(box, view);
    for (const [rx, ry] of [
      [640, 360],
      [1000, 650],
      [37, 41],
    ] as const) {
      const unzoomed = fromRemote(rx, ry, box, 1280, 720);
      // where the video's transform draws that pixel
      const drawn = { x: view.x + unzoomed.x * view.scale, y: view.y + unzoomed.y * view.scale };
      expect(toRemote(drawn.x, drawn.y, zoomed, 1280, 720)).toEqual({ x: rx, y: ry });
    }
  });
});
