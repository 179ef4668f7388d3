import type { EventEmitter } from 'node:events';
import {
  DEFAULT_FILES_POLICY,
  type BrowserMode,
  type ClipboardPolicy,
  type FilesPolicy,
  type RecordPolicy,
  type RecordingsVisibleTo,
  type ResolvedRoomTimeouts,
  type RoomApp,
  type RoomStatus,
  type TemplatePolicies,
} from '@boxroom/contracts';

// The drivers name these through this module, the seam they implement.
export type { RoomApp, RoomStatus };
export type DriverKind = 'local' | 'docker' | 'swarm';

/** What a room is: decided by the RoomManager (policy), persisted by the driver (mechanism). */
export interface RoomSpec {
  readonly id: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly app: RoomApp;
  /** ms since epoch */
  readonly createdAt: number;
  /**
   * who created the room (Principal.id: 'operator' for the admin credential), which owns it
   * (abilities.ts); null on rooms created before owners were recorded
   */
  readonly ownerId: string | null;
  /**
   * lifecycle timeouts in seconds, defaults applied (0: off); the room's agent runs the clocks.
   * Absent on rooms stored before timeouts existed: read it through timeoutsOf().
   */
  readonly timeouts?: ResolvedRoomTimeouts;
  /** recording policy (absent on rooms made before recordings: `manual`) */
  readonly record?: RecordPolicy;
  /** who may watch its recordings (absent: `viewers`) */
  readonly recordingsVisibleTo?: RecordingsVisibleTo;
  /**
   * the clipboard policy chosen at create (absent: both allowed): the agent starts with it, so no
   * copy passes before the dashboard's first push of the live settings (RoomSettingsService)
   */
  readonly clipboard?: ClipboardPolicy;
  /** which ways files may go (the create body's `files`); absent on older rooms: both on */
  readonly files?: FilesPolicy;
  /**
   * the persistent profile of `ownerId` that is the app's home (the create body's `profile`):
   * a named volume or a directory the driver mounts; absent: a home that ends with the room
   */
  readonly profile?: string;
  /**
   * What the room was made from, copied out of its template at create (templates/template-resolution.ts),
   * so a template changed or deleted later changes no running room. Absent on rooms made before
   * templates (their `app` says what they run) and where the template has none.
   */
  readonly template?: string;
  /** `command` rooms: the app's argv */
  readonly command?: readonly string[];
  /** the app's environment (not secrets) */
  readonly env?: Readonly<Record<string, string>>;
  /** the docker image (absent: the driver's BOXROOM_ROOM_IMAGE); the local driver runs the host's programs */
  readonly image?: string;
  /** browser rooms: the page opened first, and how */
  readonly startUrl?: string;
  readonly browserMode?: BrowserMode;
  /** the template's bounds, which a PATCH of the live settings must keep */
  readonly policies?: TemplatePolicies;
}

/** Rooms stored before timeouts existed have none. */
export const NO_TIMEOUTS: ResolvedRoomTimeouts = Object.freeze({ maxAgeS: 0, noViewersS: 0, noInputS: 0 });

export function timeoutsOf(spec: RoomSpec): ResolvedRoomTimeouts {
  return spec.timeouts ?? NO_TIMEOUTS;
}

/** Rooms stored before the files policy existed allow both directions, as a new room does by default. */
export function filesPolicyOf(spec: RoomSpec): FilesPolicy {
  return spec.files ?? DEFAULT_FILES_POLICY;
}

/** A persistent profile: per owner (a principal id) and name. */
export interface ProfileRef {
  readonly owner: string;
  readonly name: string;
}

/** The profile a room's home is, or null. */
export function profileOf(spec: RoomSpec): ProfileRef | null {
  return spec.profile && spec.ownerId !== null ? { owner: spec.ownerId, name: spec.profile } : null;
}

/**
 * Where a driver keeps profiles' homes (docker: named volumes; local: directories). Mounting is
 * the driver's create (RoomSpec.profile); this is what outlives rooms.
 */
export interface ProfileStorage {
  /** what the home holds on disk, or null when it cannot be told (absent: 0) */
  measure(ref: ProfileRef): Promise<number | null>;
  /** removes the home; nothing there is fine. Never called while a room has it mounted. */
  remove(ref: ProfileRef): Promise<void>;
}

/** A room as its runtime reports it. `agentUrl` is where the dashboard reaches the room agent. */
export interface RoomRecord {
  readonly spec: RoomSpec;
  readonly status: RoomStatus;
  /** e.g. http://127.0.0.1:41234; null while the runtime has not assigned it yet */
  readonly agentUrl: string | null;
  /** the runtime did not answer: this is the last state it reported (or announced by event) */
  readonly stale?: boolean;
  /**
   * why a `failed` room failed, through failureText() (drivers/room-failure.ts); null: the runtime did
   * not say. Absent for every other status.
   */
  readonly failure?: string | null;
}

/** How the runtime itself is doing: the docker driver's engine may stop answering. */
export interface DriverHealth {
  engine: 'ok' | 'unresponsive';
  /** ms since epoch of the first unanswered call; null while the engine answers */
  unresponsiveSince: number | null;
}

export interface DriverEvents {
  status: [id: string, status: RoomStatus];
}

/**
 * Mechanism only: start, find and remove the runtime of a room. The runtime is the database:
 * `list()` after a restart of the dashboard returns every room that still exists.
 */
export interface RoomDriver extends EventEmitter<DriverEvents> {
  readonly kind: DriverKind;
  /** find rooms left by an earlier run, start watching the runtime */
  init(): Promise<void>;
  create(spec: RoomSpec): Promise<RoomRecord>;
  list(): Promise<RoomRecord[]>;
  get(id: string): Promise<RoomRecord | null>;
  /** stops and removes everything of the room; resolves when nothing is left; unknown id is a no-op */
  delete(id: string): Promise<void>;
  /** stop watching; rooms keep running */
  close(): Promise<void>;
  /** drivers with a runtime that can hang (docker) say how it is; absent: always fine */
  health?(): DriverHealth;
  /** drivers that can keep a room's home as a persistent profile; absent: none can be asked for */
  readonly profiles?: ProfileStorage;
}
