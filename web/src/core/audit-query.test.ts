import { describe, expect, it } from 'vitest';
import { auditQuery, detailText, NEWEST } from './audit-query.js';

describe('auditQuery', () => {
  it('asks for the newest page with only the filters given', () => {
    expect(auditQuery({ room: '', actor: ' ', action: '', since: '' }, NEWEST, 100)).toBe(
      `?before=${NEWEST}&limit=100`,
    );
    const since = '2026-02-01T10:30';
    expect(auditQuery({ room: ' abc ', actor: 'p1', action: 'room.create', since }, '42', 50)).toBe(
      `?room=abc&actor=p1&action=room.create&since=${encodeURIComponent(new Date(since).toISOString())}&before=42&limit=50`,
    );
    expect(auditQuery({ room: '', actor: '', action: '', since: 'not a date' }, '7', 5)).toBe(
      '?before=7&limit=5',
    );
  });

  it('writes the detail as key=value pairs', () => {
    const e = {
      id: '1',
      at: '2026-02-01T10:00:00.000Z',
      actor: { id: 'system', name: 'boxroom', role: 'system' as const },
      action: 'room.expire' as const,
      roomId: 'aaaaaaaaaa',
      outcome: 'ok' as const,
      detail: { reason: 'idle', n: 2, locked: false, none: null },
    };
    expect(detailText(e)).toBe('reason=idle n=2 locked=false none=–');
  });
});
