import { exitFailure, failureText } from '../room-failure.js';

/**
 * Why a room's container failed, from each thing the engine tells: its list entry (every list, but
 * only the exit code and "(unhealthy)"), an event (at once: `die` with its exit code, the unhealthy
 * verdict) and an inspect (one call: out of memory, the healthcheck's own output, the engine's error).
 * Each answers null where it cannot tell; the driver keeps the best it heard (docker-driver.ts).
 */

const CONTAINER = 'the container';
export const UNHEALTHY = "the room agent's healthcheck failed (unhealthy)";
export const OUT_OF_MEMORY = 'the container ran out of memory (killed at its memory limit)';

/** From a list entry's `State` and `Status` ("Exited (137) 5 seconds ago", "Up 1 minute (unhealthy)"). */
export function failureFromSummary(state: string, statusText: string): string | null {
  switch (state) {
    case 'running':
      return statusText.includes('(unhealthy)') ? UNHEALTHY : null;
    case 'exited': {
      const code = /^Exited \((-?\d+)\)/.exec(statusText)?.[1];
      return exitFailure(CONTAINER, code === undefined ? null : Number(code));
    }
    case 'dead':
      return 'the container is dead (the engine could not stop or remove it)';
    case 'paused':
      return 'the container is paused';
    default:
      return null;
  }
}

/** From an engine event that fails a room (statusFromEvent): `die` carries `exitCode`. */
export function failureFromEvent(
  action: string,
  attributes: Readonly<Record<string, string>>,
): string | null {
  if (action === 'health_status: unhealthy') return UNHEALTHY;
  if (action !== 'die') return null;
  const code = Number(attributes.exitCode);
  return exitFailure(CONTAINER, attributes.exitCode !== undefined && Number.isInteger(code) ? code : null);
}

/** The fields of `State` in an inspect answer that tell why. */
export interface InspectedState {
  Status?: string;
  ExitCode?: number;
  OOMKilled?: boolean;
  /** the engine's own error, e.g. the runtime could not start the process */
  Error?: string;
  Health?: { Status?: string; Log?: { ExitCode?: number; Output?: string }[] };
}

/** From an inspect: what the other two cannot say (out of memory, the healthcheck's output, the engine's error). */
export function failureFromInspect(s: InspectedState | undefined): string | null {
  if (!s) return null;
  if (s.OOMKilled) return OUT_OF_MEMORY;
  if (s.Status === 'running' && s.Health?.Status === 'unhealthy') {
    const output = failureText(s.Health.Log?.at(-1)?.Output);
    return output ? `the room agent's healthcheck failed: ${output}` : UNHEALTHY;
  }
  if (s.Status !== 'exited' && s.Status !== 'dead') return null;
  const exit = exitFailure(CONTAINER, s.ExitCode ?? null);
  return s.Error ? `${exit}: ${s.Error}` : exit;
}
