import { AppError } from '../../errors.js';

/**
 * How long each kind of engine call may take. A paused or wedged dockerd accepts connections and
 * never answers: without a deadline every request that asks it hangs with it. Calls on the request
 * path (list, inspect) are short so a page still answers, from the cache, within two seconds; calls
 * that do real work (create, start, stop) get what that work needs.
 */
export const ENGINE_DEADLINE_MS = {
  /** GET /api/rooms, /healthz: answered from the cache past this */
  list: 800,
  /** a list with no cache to fall back on yet (init, the janitor, deletes): worth waiting for */
  listCold: 10_000,
  /** ping before a create when the engine was last seen unresponsive */
  ping: 1_000,
  inspect: 3_000,
  network: 5_000,
  /** opening the event stream (the stream itself may stay quiet for ever) */
  events: 5_000,
  create: 15_000,
  start: 30_000,
  remove: 15_000,
  /** on top of the container's own stop timeout */
  stopMargin: 10_000,
  /** a deleted container gone from the engine's list */
  gone: 30_000,
} as const;

/** The engine did not answer in time: a 503 for API callers, a reason to serve the cache inside. */
export class EngineTimeout extends AppError {
  override name = 'EngineTimeout';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super('unavailable', `the docker engine did not answer (${what}) within ${ms} ms`);
  }
}

export function isEngineTimeout(err: unknown): err is EngineTimeout {
  return err instanceof EngineTimeout;
}

/**
 * Runs one engine call with a deadline. The signal is handed to dockerode (which aborts the HTTP
 * request on it, so no socket is left waiting on a dead engine); the race makes sure the caller is
 * answered even by a call that ignores its signal.
 */
export async function withDeadline<T>(
  what: string,
  ms: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new EngineTimeout(what, ms));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([call(ctl.signal), expired]);
  } catch (err) {
    // dockerode rejects with an AbortError of its own when the signal fires: report the deadline.
    if (ctl.signal.aborted) throw new EngineTimeout(what, ms);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
