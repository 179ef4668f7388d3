import { exitFailure } from '../room-failure.js';

const AGENT = 'the room agent';

/** Why a local room failed, in the words of what the driver saw of its agent's process. */
export const agentFailure = {
  /** our child's `exit`: its code, or the signal that ended it */
  exited: (code: number | null, signal: NodeJS.Signals | null): string => exitFailure(AGENT, code, signal),
  /** spawn itself failed (no node binary, no permission) */
  notStarted: (err: Error): string => `${AGENT} could not start: ${err.message}`,
  notHealthy: (startTimeoutMs: number): string =>
    `${AGENT} was not healthy within ${startTimeoutMs % 1000 ? `${startTimeoutMs} ms` : `${startTimeoutMs / 1000} s`}`,
  /** a re-adopted agent is not our child: its pid vanished and no exit code is known */
  vanished: `${AGENT} ended (started before the dashboard restarted: no exit code known)`,
  goneWhileAway: `${AGENT} was not running when the dashboard restarted`,
} as const;
