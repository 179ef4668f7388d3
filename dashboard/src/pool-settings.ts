import { ROOM_DEFAULTS } from '@boxroom/contracts';

/** How many rooms to keep per template id. */
export type PoolTargets = ReadonlyMap<string, number>;

/** BOXROOM_POOL unset: none locally, one terminal room with Docker, none on a swarm (any node could be asked). */
export function defaultPoolTargets(kind: string): PoolTargets {
  return new Map(kind === 'docker' ? [[ROOM_DEFAULTS.app, 1]] : []);
}

/**
 * BOXROOM_POOL: `terminal=1,browser=0` (per template id), or one number for the default template
 * (`terminal`, what a create naming none gets). Null: the driver's default. Throws on anything else.
 */
export function parsePoolTargets(value: string | null, kind: string): PoolTargets {
  if (value === null || value.trim() === '') return defaultPoolTargets(kind);
  const v = value.trim();
  if (/^\d{1,2}$/.test(v)) return new Map([[ROOM_DEFAULTS.app, Number(v)]]);
  const out = new Map<string, number>();
  for (const part of v.split(',')) {
    const m = /^\s*([a-z0-9][a-z0-9-]{0,63})\s*=\s*(\d{1,2})\s*$/.exec(part);
    if (!m) throw new Error(`BOXROOM_POOL: "${part}" is not template=count`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** What is wrong with a BOXROOM_POOL value, or null (the settings' check). */
export function poolSettingError(value: string): string | null {
  try {
    parsePoolTargets(value, 'local');
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^BOXROOM_POOL: /, '');
  }
}

const dash = ['dashboard'] as const;

/** The warm pool's setting (dashboard-settings.ts spreads it into the table; rooms/pool/ reads it). */
export const POOL_SETTINGS = {
  BOXROOM_POOL: {
    type: 'string',
    default: null,
    docDefault: '1 with docker, 0 local and swarm',
    processes: dash,
    check: (v: string) => poolSettingError(v),
    doc: 'warm pool: rooms kept started and unassigned, `terminal=1,browser=1` per template or one number for `terminal`; a create with the template\'s defaults (no profile, start URL, size, policies or timeouts of its own) takes one (about 0.3 s to the first frame instead of 2.4 s) and another starts behind it. Pooled rooms are not listed and count against no limit or quota. See [docs/decisions.md](../docs/decisions.md), "A warm pool of rooms"',
  },
} as const;
