import { ROOM_FAILURE_MAX_CHARS } from '@boxroom/contracts';
import { describe, expect, it } from 'vitest';
import { ROOM_SPEC } from '../testing/container-summary.js';
import { exitFailure, failureText, withFailure } from './room-failure.js';

describe('failureText', () => {
  it('one line, spaces collapsed; nothing left is null', () => {
    expect(failureText('  task failed:\n\tnon-zero exit (1)\r\n')).toBe('task failed: non-zero exit (1)');
    expect(failureText('\n \u0007 ')).toBeNull();
    expect(failureText(null)).toBeNull();
    expect(failureText(undefined)).toBeNull();
  });

  it(`at most ${ROOM_FAILURE_MAX_CHARS} characters, cut with an ellipsis`, () => {
    const t = failureText('x'.repeat(5000))!;
    expect(t).toHaveLength(ROOM_FAILURE_MAX_CHARS);
    expect(t.endsWith('…')).toBe(true);
    expect(failureText('y'.repeat(ROOM_FAILURE_MAX_CHARS))).toBe('y'.repeat(ROOM_FAILURE_MAX_CHARS));
  });

  it('takes out what looks like a credential, and keeps the rest', () => {
    expect(failureText('env BOXROOM_ADMIN_TOKEN=s3cr3t-value rejected')).toBe(
      'env BOXROOM_ADMIN_TOKEN=[redacted] rejected',
    );
    expect(failureText('password: "hunter 2", user: bob')).toBe('password: [redacted], user: bob');
    expect(failureText('X-Api-Key=abc;next')).toBe('X-Api-Key=[redacted];next');
    // boxroom's own keys are secrets too (signing, invite, TLS)
    expect(failureText('BOXROOM_SIGNING_KEY=MC4CAQ BOXROOM_INVITE_KEY: x BOXROOM_TLS_KEY=k')).toBe(
      'BOXROOM_SIGNING_KEY=[redacted] BOXROOM_INVITE_KEY: [redacted] BOXROOM_TLS_KEY=[redacted]',
    );
    expect(failureText('Authorization: Bearer eyJhbGciOi.x.y')).toBe('Authorization: [redacted] [redacted]');
    expect(failureText('GET http://10.0.0.2:9000/stream.flv?token=eyJ.x.y failed')).toBe(
      'GET http://10.0.0.2:9000/stream.flv?[redacted] failed',
    );
    expect(failureText('pull registry.example/room: https://u:pw@registry.example/v2/ denied')).toBe(
      'pull registry.example/room: https://[redacted]@registry.example/v2/ denied',
    );
    // words that only contain a secret-like word are no secret
    expect(failureText('exit status: signal: killed; authority: none')).toBe(
      'exit status: signal: killed; authority: none',
    );
    // already clean text passes unchanged (drivers may apply it twice)
    const once = failureText('TOKEN=a b?c http://h/p?q=1')!;
    expect(failureText(once)).toBe(once);
  });
});

describe('exitFailure', () => {
  it('names the signal, also one a container init reports as 128 + n', () => {
    expect(exitFailure('the room agent', null, 'SIGKILL')).toBe('the room agent was killed by SIGKILL');
    expect(exitFailure('the room agent', 1)).toBe('the room agent exited with code 1');
    expect(exitFailure('the container', 137)).toBe('the container exited with code 137 (SIGKILL)');
    expect(exitFailure('the container', 143)).toBe('the container exited with code 143 (SIGTERM)');
    expect(exitFailure('the container', 255)).toBe('the container exited with code 255');
    expect(exitFailure('the container', null)).toBe('the container ended');
  });
});

describe('withFailure', () => {
  const base = { spec: ROOM_SPEC, agentUrl: null };
  it('a failed room keeps a failure (given, else its own, else null); other statuses have none', () => {
    expect(withFailure({ ...base, status: 'failed' }, 'why')).toEqual({
      ...base,
      status: 'failed',
      failure: 'why',
    });
    expect(withFailure({ ...base, status: 'failed', failure: 'old' })).toMatchObject({ failure: 'old' });
    expect(withFailure({ ...base, status: 'failed' })).toMatchObject({ failure: null });
    // recovered: the failure goes, the property too
    expect(withFailure({ ...base, status: 'ready', failure: 'old' }, 'why')).toEqual({
      ...base,
      status: 'ready',
    });
  });
});
