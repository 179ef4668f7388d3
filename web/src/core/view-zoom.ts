import type { Box } from './overlay-geometry.js';

/**
 * The stage's own zoom (a pinch on the picture): everything in the stage is scaled by `scale` about
 * its top-left corner and moved by (`x`, `y`) CSS px. The video takes it as a CSS transform; the noVNC
 * overlay is laid out at the transformed picture box (zoomBox), so noVNC's mapping from a touch to a
 * remote pixel is computed from the same numbers the picture is drawn with.
 */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Point {
  x: number;
  y: number;
}

export const UNZOOMED: View = { scale: 1, x: 0, y: 0 };
export const MAX_ZOOM = 5;

/** Where `box` (stage px, unzoomed) is drawn under `view`. */
export function zoomBox(box: Box, view: View): Box {
  return {
    left: view.x + box.left * view.scale,
    top: view.y + box.top * view.scale,
    width: box.width * view.scale,
    height: box.height * view.scale,
  };
}

/**
 * The view after two fingers moved from (a0, b0) to (a1, b1) (stage px), starting from `start`: the
 * content under the fingers' first midpoint follows their midpoint, scaled by how far they spread.
 * The scale stays within 1..MAX_ZOOM and the zoomed stage always covers the stage (no gap at an edge).
 */
export function pinchView(
  start: View,
  a0: Point,
  b0: Point,
  a1: Point,
  b1: Point,
  w: number,
  h: number,
): View {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y);
  const d1 = Math.hypot(b1.x - a1.x, b1.y - a1.y);
  const scale = clamp(d0 > 0 ? (start.scale * d1) / d0 : start.scale, 1, MAX_ZOOM);
  const m0 = mid(a0, b0);
  const m1 = mid(a1, b1);
  // the content point under the first midpoint, in unzoomed stage px
  const cx = (m0.x - start.x) / start.scale;
  const cy = (m0.y - start.y) / start.scale;
  return clampView({ scale, x: m1.x - cx * scale, y: m1.y - cy * scale }, w, h);
}

/** `view` moved back inside the stage (a `w` x `h` stage zoomed must still cover it). */
export function clampView(view: View, w: number, h: number): View {
  const scale = clamp(view.scale, 1, MAX_ZOOM);
  return { scale, x: clamp(view.x, w - w * scale, 0), y: clamp(view.y, h - h * scale, 0) };
}

function mid(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
