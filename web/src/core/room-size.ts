import { ROOM_LIMITS } from '@boxroom/contracts';

export interface Size {
  width: number;
  height: number;
}

/** The sizes an owner picks from (16:9, the common laptop and monitor ones). */
export const SIZE_PRESETS: readonly Size[] = [
  { width: 1280, height: 720 },
  { width: 1600, height: 900 },
  { width: 1920, height: 1080 },
];

const even = (n: number) => Math.floor(n / 2) * 2;
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * "Fit my window": the room's size for a stage of `w x h` CSS px, so the picture fills it at 1:1
 * (one room pixel per CSS pixel: sharp text, no scaling). Even (H.264 4:2:0) and within the limits.
 */
export function fitSize(w: number, h: number): Size {
  return {
    width: clamp(even(w), ROOM_LIMITS.width.minimum, even(ROOM_LIMITS.width.maximum)),
    height: clamp(even(h), ROOM_LIMITS.height.minimum, even(ROOM_LIMITS.height.maximum)),
  };
}
