import type { ProcessStatus } from '@boxroom/contracts';

/**
 * The legal moves of a supervised process. Anything else is a bug in the caller (e.g. a late timer
 * firing after stop) and is refused rather than acted on.
 *
 * stopped  -> waiting (dependencies not ready) | starting
 * waiting  -> starting | stopped
 * starting -> ready | backoff (exited, or not ready in time) | stopping | failed (could not spawn)
 * ready    -> backoff (exited) | stopping
 * backoff  -> starting (timer) | waiting (timer, but a dependency is down) | stopped
 * stopping -> stopped
 * failed   -> waiting | starting | stopped
 */
const TRANSITIONS: Readonly<Record<ProcessStatus, readonly ProcessStatus[]>> = {
  stopped: ['waiting', 'starting'],
  waiting: ['starting', 'stopped'],
  starting: ['ready', 'backoff', 'stopping', 'failed'],
  ready: ['backoff', 'stopping'],
  backoff: ['starting', 'waiting', 'stopped'],
  stopping: ['stopped'],
  failed: ['waiting', 'starting', 'stopped'],
};

export function canTransition(from: ProcessStatus, to: ProcessStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
