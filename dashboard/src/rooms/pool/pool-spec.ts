import { isDeepStrictEqual } from 'node:util';
import type { PoolClaim } from '../../store/pool-claim-entry.js';
import type { RoomSpec } from '../room-driver.js';
import type { TemplatedSpec } from '../template-resolution.js';

/**
 * The owner a pooled room is started with: the runtime's spec of a pooled room says this for ever
 * (docker labels cannot change), the store's claim says who took it. No principal has this id
 * (accounts are `oidc:...`, the admin credential `operator`). A claim with this owner retires the
 * room: the pool took it back to delete it, so no create can take it meanwhile.
 */
export const POOL_OWNER = 'boxroom-pool';

export function isPooled(spec: Pick<RoomSpec, 'ownerId'>): boolean {
  return spec.ownerId === POOL_OWNER;
}

/**
 * What a pooled room of a template starts with: the template's defaults (a create with an empty
 * body), a name that says so, owned by the pool. Only what is the same for every taker.
 */
export function pooledSpec(id: string, templated: TemplatedSpec, now: number): RoomSpec {
  return {
    id,
    name: `pool ${templated.template ?? templated.app}`,
    ...templated,
    createdAt: now,
    ownerId: POOL_OWNER,
    recordingsVisibleTo: 'viewers',
  };
}

/** A pooled room's clocks may run short by at most this share of its shortest timeout. */
const POOL_WAIT_SHARE = 0.1;
/** Replacing pooled rooms more often than this costs more than it saves: such templates are not pooled. */
const POOL_MIN_WAIT_MS = 60_000;

/**
 * How long a pooled room may wait for a taker before it is replaced (null: for ever). A room's
 * agent starts its clocks when it starts: max age from its createdAt, no viewers and no input from
 * its start, until the first viewer or input (a taker's first viewer restarts the no-viewers clock).
 * A pooled room's taker would find them short by the time it waited: a tenth of the shortest
 * timeout at most (6 min of BOXROOM_ROOM_NO_VIEWERS_S's hour).
 */
export function maxWaitMs(templated: Pick<RoomSpec, 'timeouts'>): number | null {
  const t = templated.timeouts;
  const set = t ? [t.maxAgeS, t.noViewersS, t.noInputS].filter((s) => s > 0) : [];
  return set.length ? Math.min(...set) * 1000 * POOL_WAIT_SHARE : null;
}

/** Why a template's default rooms are not pooled, or null. */
export function unpoolable(templated: TemplatedSpec): string | null {
  const wait = maxWaitMs(templated);
  if (wait !== null && wait < POOL_MIN_WAIT_MS)
    return `its rooms' shortest timeout is under ${POOL_MIN_WAIT_MS / POOL_WAIT_SHARE / 1000} s: a pooled room would be replaced too often`;
  return null;
}

/** The fields a room's agent (or the runtime) got at start: a taker must want exactly these. */
const STARTED_WITH = [
  'app',
  'template',
  'width',
  'height',
  'fps',
  'command',
  'env',
  'image',
  'startUrl',
  'browserMode',
  'policies',
  'clipboard',
  'files',
  'timeouts',
  'profile',
] as const satisfies readonly (keyof RoomSpec)[];

/**
 * Whether a pooled room can become the room a create wants: everything it was started with is what
 * the create resolved to (a start URL, size, profile... of its own: no); the record policy, name,
 * owner and visibility of recordings are the dashboard's alone and become the taker's.
 */
export function serves(pooled: RoomSpec, wanted: TemplatedSpec & Pick<RoomSpec, 'profile'>): boolean {
  return STARTED_WITH.every((k) => isDeepStrictEqual(pooled[k], wanted[k]));
}

/** A taken room as everyone else sees it: the runtime's spec with the taker's part over it. */
export function withClaim(spec: RoomSpec, claim: PoolClaim): RoomSpec {
  return {
    ...spec,
    name: claim.name,
    ownerId: claim.ownerId,
    createdAt: claim.createdAt,
    record: claim.record,
    recordingsVisibleTo: claim.recordingsVisibleTo,
  };
}

/** The claim that makes `spec` (built by the RoomManager for the taker) the pooled room's. */
export function claimOf(spec: RoomSpec): PoolClaim {
  if (spec.ownerId === null) throw new Error('a pooled room is taken by someone');
  return {
    room: spec.id,
    name: spec.name,
    ownerId: spec.ownerId,
    createdAt: spec.createdAt,
    record: spec.record ?? 'manual',
    recordingsVisibleTo: spec.recordingsVisibleTo ?? 'viewers',
  };
}
