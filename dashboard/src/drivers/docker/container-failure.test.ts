import { describe, expect, it } from 'vitest';
import {
  failureFromEvent,
  failureFromInspect,
  failureFromSummary,
  OUT_OF_MEMORY,
  UNHEALTHY,
} from './container-failure.js';

describe('why a room container failed', () => {
  it('from the list entry: the exit code, the unhealthy verdict; nothing for a live room', () => {
    expect(failureFromSummary('exited', 'Exited (1) 3 seconds ago')).toBe('the container exited with code 1');
    expect(failureFromSummary('exited', 'Exited (137) 2 minutes ago')).toBe(
      'the container exited with code 137 (SIGKILL)',
    );
    expect(failureFromSummary('running', 'Up 1 minute (unhealthy)')).toBe(UNHEALTHY);
    expect(failureFromSummary('dead', 'Dead')).toMatch(/dead/);
    expect(failureFromSummary('paused', 'Up 5 seconds (Paused)')).toBe('the container is paused');
    expect(failureFromSummary('running', 'Up 5 minutes (healthy)')).toBeNull();
    expect(failureFromSummary('created', 'Created')).toBeNull();
  });

  it('from an event: die with its exit code, the unhealthy verdict', () => {
    expect(failureFromEvent('die', { exitCode: '139' })).toBe('the container exited with code 139 (SIGSEGV)');
    expect(failureFromEvent('die', {})).toBe('the container ended');
    expect(failureFromEvent('health_status: unhealthy', {})).toBe(UNHEALTHY);
    expect(failureFromEvent('start', {})).toBeNull();
  });

  it('from an inspect: out of memory, the healthcheck output, the engine error', () => {
    expect(failureFromInspect({ Status: 'exited', ExitCode: 137, OOMKilled: true })).toBe(OUT_OF_MEMORY);
    expect(
      failureFromInspect({
        Status: 'running',
        Health: {
          Status: 'unhealthy',
          Log: [{ Output: 'old' }, { ExitCode: 1, Output: 'curl: (7) refused\n' }],
        },
      }),
    ).toBe("the room agent's healthcheck failed: curl: (7) refused");
    expect(failureFromInspect({ Status: 'running', Health: { Status: 'unhealthy', Log: [] } })).toBe(
      UNHEALTHY,
    );
    expect(failureFromInspect({ Status: 'exited', ExitCode: 127, Error: 'exec: "node": not found' })).toBe(
      'the container exited with code 127: exec: "node": not found',
    );
    expect(failureFromInspect({ Status: 'running', Health: { Status: 'healthy' } })).toBeNull();
    expect(failureFromInspect(undefined)).toBeNull();
  });
});
