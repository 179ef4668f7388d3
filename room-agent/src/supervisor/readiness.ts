import { access } from 'node:fs/promises';
import { connect, type NetConnectOpts } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describeReadiness, type Readiness } from './process-spec.js';

/** Pause between connect attempts: short enough to notice readiness within a frame or two. */
export const READY_RETRY_INTERVAL_MS = 25;

export class ReadinessTimeoutError extends Error {
  override name = 'ReadinessTimeoutError';
}

/** Opens one connection and closes it again; resolves on connect, rejects on refusal or abort. */
function tryConnect(opts: NetConnectOpts, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = connect(opts);
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    });
  });
}

/** Retries connecting until one succeeds or `signal` aborts (the process exited, or time ran out). */
async function waitForConnect(opts: NetConnectOpts, signal: AbortSignal, intervalMs: number): Promise<void> {
  for (;;) {
    try {
      await tryConnect(opts, signal);
      return;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // ENOENT / ECONNREFUSED: not listening yet. Anything else is retried too; the timeout bounds it.
      void err;
    }
    // timers/promises rejects with a generic AbortError; callers want the reason (exit, timeout)
    await delay(intervalMs, undefined, { signal }).catch(() => Promise.reject(signal.reason));
  }
}

export function waitForUnixSocket(
  path: string,
  signal: AbortSignal,
  intervalMs = READY_RETRY_INTERVAL_MS,
): Promise<void> {
  return waitForConnect({ path }, signal, intervalMs);
}

export function waitForTcpPort(
  host: string,
  port: number,
  signal: AbortSignal,
  intervalMs = READY_RETRY_INTERVAL_MS,
): Promise<void> {
  return waitForConnect({ host, port }, signal, intervalMs);
}

/** Waits until `path` exists (checked with the same short interval as sockets). */
export async function waitForFile(
  path: string,
  signal: AbortSignal,
  intervalMs = READY_RETRY_INTERVAL_MS,
): Promise<void> {
  for (;;) {
    if (signal.aborted) throw signal.reason;
    try {
      await access(path);
      return;
    } catch {
      // not there yet
    }
    await delay(intervalMs, undefined, { signal }).catch(() => Promise.reject(signal.reason));
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {}); // a late rejection after abort is not an unhandled one
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * Waits for a readiness condition. `signal` is the caller's (aborted when the process exits);
 * `timeoutMs` turns a process that never becomes ready into a ReadinessTimeoutError.
 */
export async function waitForReadiness(
  readiness: Readiness,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  try {
    switch (readiness.kind) {
      case 'none':
        return;
      case 'unix-socket':
        return await waitForUnixSocket(readiness.path, both);
      case 'tcp':
        return await waitForTcpPort(readiness.host, readiness.port, both);
      case 'file':
        return await waitForFile(readiness.path, both);
      case 'probe':
        // raced with the signal so a probe that ignores it cannot hold the process in `starting`
        return await abortable(readiness.probe(both), both);
    }
  } catch (err) {
    if (timeout.aborted && !signal.aborted) {
      throw new ReadinessTimeoutError(`not ready within ${timeoutMs} ms (${describeReadiness(readiness)})`, {
        cause: err,
      });
    }
    throw err;
  }
}
