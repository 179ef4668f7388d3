import type { Logger } from '../../logger.js';
import type { RoomSpec, RoomStatus } from '../../rooms/room-driver.js';
import { readJson, SerialQueue, writeJsonAtomic } from '../../store/atomic-json.js';

/** What the local driver remembers about one room: enough to find its agent after a restart. */
export interface LocalRoomState {
  spec: RoomSpec;
  status: RoomStatus;
  /** pid of the agent, which leads its own process group (pgid === pid); null once it is gone */
  pid: number | null;
  port: number;
  display: number;
  runDir: string;
  /** why a failed room failed (room-failure.ts); absent for other statuses and in older files */
  failure?: string | null;
}

export interface LocalStateFile {
  version: 1;
  rooms: LocalRoomState[];
}

const EMPTY: LocalStateFile = { version: 1, rooms: [] };

function isRoomState(x: unknown): x is LocalRoomState {
  const r = x as Partial<LocalRoomState> | null;
  return (
    typeof r?.spec?.id === 'string' &&
    typeof r.status === 'string' &&
    (r.pid === null || typeof r.pid === 'number') &&
    typeof r.port === 'number' &&
    typeof r.display === 'number' &&
    typeof r.runDir === 'string'
  );
}

/** Parses a state file's content; unknown versions and malformed entries are dropped, not fatal. */
export function parseState(data: unknown): LocalStateFile {
  const f = data as Partial<LocalStateFile> | null;
  if (!f || f.version !== 1 || !Array.isArray(f.rooms)) return { version: 1, rooms: [] };
  return { version: 1, rooms: f.rooms.filter(isRoomState) };
}

/** The local runtime's "database": one JSON file, written atomically (tmp + rename), one save at a time. */
export class LocalStateStore {
  private readonly queue = new SerialQueue();

  constructor(
    readonly file: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<LocalStateFile> {
    try {
      const data = await readJson(this.file);
      return data === undefined ? structuredClone(EMPTY) : parseState(data);
    } catch (err) {
      this.log.error({ err, file: this.file }, 'local state file unreadable: starting empty');
      return structuredClone(EMPTY);
    }
  }

  save(rooms: Iterable<LocalRoomState>): Promise<void> {
    const snapshot: LocalStateFile = { version: 1, rooms: [...rooms].map((r) => structuredClone(r)) };
    return this.queue.run(() => writeJsonAtomic(this.file, snapshot));
  }
}
