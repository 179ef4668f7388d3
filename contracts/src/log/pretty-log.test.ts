import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { prettyDestination, prettyLine } from './pretty-log.js';

describe('pretty log lines', () => {
  it('shows time, level, module, message and fields, and keeps what pino redacted hidden', () => {
    const lines: string[] = [];
    const log = pino(
      { base: { svc: 'dashboard' }, redact: { paths: ['token', '*.token'], censor: '[redacted]' } },
      prettyDestination({ write: (s) => lines.push(s) }, false),
    );
    log
      .child({ mod: 'rooms' })
      .info({ room: 'ab12', token: 'secret-1', req: { token: 'secret-2' } }, 'room created');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}rooms: room created room=ab12 token=\[redacted\] req=\{"token":"\[redacted\]"\}\n$/,
    );
    expect(lines.join('')).not.toContain('secret');
  });

  it('puts an error stack under its line and passes non-JSON through', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'failed',
        err: { message: 'boom', stack: 'Error: boom\n  at x' },
      }),
      false,
    );
    expect(line).toBe('00:00:00.000 ERROR failed\n    Error: boom\n      at x\n');
    expect(prettyLine('not json', false)).toBe('not json');
  });
});
