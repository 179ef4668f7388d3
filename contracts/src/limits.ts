/**
 * The sizes a room may have, and what a room gets when its creator names none. The dashboard's create
 * body and the agent's settings check against the same numbers.
 */
export const ROOM_LIMITS = {
  width: { minimum: 320, maximum: 3840 },
  height: { minimum: 240, maximum: 2160 },
  fps: { minimum: 1, maximum: 60 },
} as const;

export const ROOM_DEFAULTS = { width: 1280, height: 720, fps: 30, app: 'terminal' } as const;

/** Display names and room names: what a person types, bounded. */
export const NAME_MAX_LENGTH = 64;
