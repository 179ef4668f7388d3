const dash = ['dashboard'] as const;

/** Recordings: policy, where, how long, links (spread into dashboard-settings.ts; docs/recordings.md). */
export const RECORDING_SETTINGS = {
  BOXROOM_RECORD: {
    type: 'enum',
    values: ['off', 'manual', 'always'],
    default: 'manual',
    processes: dash,
    doc: "rooms' recording policy when the create body names none: `off`, `manual` (owners and operators start and stop) or `always`; see [docs/recordings.md](../docs/recordings.md)",
  },
  BOXROOM_RECORDINGS_DIR: {
    type: 'string',
    default: null,
    docDefault: '`<data>/recordings`',
    processes: dash,
    doc: 'where recordings are written (fMP4 HLS per recording); replicas share it (one network file system)',
  },
  BOXROOM_RECORDINGS_MAX_AGE_S: {
    type: 'int',
    default: 0,
    min: 0,
    max: 10 * 365 * 24 * 3600,
    processes: dash,
    doc: 'finished recordings older than this are deleted; 0: kept until deleted or the byte cap needs room',
  },
  BOXROOM_RECORDINGS_MAX_MB: {
    type: 'int',
    default: 0,
    min: 0,
    max: 1_000_000_000,
    processes: dash,
    doc: 'all recordings together at most this many MiB: the oldest finished go first, and when the running ones alone exceed it they stop (`partial`); 0: no cap',
  },
  BOXROOM_RECORDINGS_MIN_FREE_MB: {
    type: 'int',
    default: 256,
    min: 0,
    max: 1_000_000_000,
    processes: dash,
    doc: "running recordings stop (`partial`) when the recordings dir's file system has less free space than this",
  },
  BOXROOM_RECORDING_LINK_TTL_S: {
    type: 'int',
    default: 14_400,
    min: 60,
    max: 7 * 24 * 3600,
    processes: dash,
    doc: "lifetime of a recording's signed `play` and `download` links (they work without a cookie or bearer, e.g. in VLC)",
  },
} as const;
