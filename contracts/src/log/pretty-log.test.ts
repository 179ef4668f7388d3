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

  it('quotes any text holding a control character, so no escape sequence reaches the terminal', () => {
    const line = prettyLine(
      JSON.stringify({
        level: 30,
        time: 0,
        mod: 'rooms\x1b[2J',
        msg: 'room \x1b[31mred\x07',
        name: 'x\x1b]0;title\x07',
        csi: 'a\u009b2Jb',
        'k\x1b': 1,
        err: { stack: 'Error: \x1b[8mhidden\n  at x' },
      }),
      false,
    );
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/); // only the line breaks stay
    expect(line).toBe(
      '00:00:00.000 INFO  "rooms\\u001b[2J": "room \\u001b[31mred\\u0007" name="x\\u001b]0;title\\u0007" ' +
        'csi="a\\u009b2Jb" "k\\u001b"=1\n    "Error: \\u001b[8mhidden"\n      at x\n',
    );
    expect(prettyLine('plain \x1b[2J', false)).toBe('"plain \\u001b[2J"');
    expect(prettyLine(JSON.stringify({ level: 30, time: 0, msg: 'plain text' }), false)).toBe(
      '00:00:00.000 INFO  plain text\n',
    );
  });
});
