import type { RoomStatus } from '@boxroom/contracts';

/** A held wait: resolved when its room leaves `starting`, its time runs out, or its caller goes. */
export interface StatusWait {
  readonly ms: number;
  readonly signal: AbortSignal;
}

/**
 * The held `GET /api/rooms/:id?wait=` requests of starting rooms, answered the moment the driver says
 * the room moved. One listener on the driver for all of them (a room page per participant may wait on
 * the same room), not one each.
 */
export class RoomStatusWaiters {
  private readonly waiting = new Map<string, Set<() => void>>();

  /**
   * The room as `read` answers once it has left `starting`, `wait.ms` has passed, or `wait.signal`
   * aborted. `read` is asked once the wait is registered, so a move just before is not missed, and again
   * at the end (it throws for a room that is gone).
   */
  async settled<R extends { status: RoomStatus }>(
    id: string,
    wait: StatusWait,
    read: () => Promise<R>,
  ): Promise<R> {
    if (wait.signal.aborted || wait.ms <= 0) return read();
    let done!: () => void;
    const over = new Promise<void>((resolve) => (done = resolve));
    const timer = setTimeout(done, wait.ms);
    wait.signal.addEventListener('abort', done, { once: true });
    const set = this.waiting.get(id) ?? new Set();
    this.waiting.set(id, set.add(done));
    try {
      const now = await read();
      if (now.status !== 'starting') return now;
      await over;
    } finally {
      clearTimeout(timer);
      wait.signal.removeEventListener('abort', done);
      set.delete(done);
      if (set.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
    }
    return read();
  }

  /** The driver said `id` is now `status`. */
  moved(id: string, status: RoomStatus): void {
    if (status === 'starting') return;
    const set = this.waiting.get(id);
    if (!set) return;
    this.waiting.delete(id);
    for (const done of set) done();
  }

  /** Held waits, all rooms (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.waiting.values()) n += set.size;
    return n;
  }
}
