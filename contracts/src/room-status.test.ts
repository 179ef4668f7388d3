import { describe, expect, it } from 'vitest';
import { canMoveRoomStatus, ROOM_STATUS_MOVES, ROOM_STATUSES, type RoomStatus } from './room-status.js';

const moves = (from: RoomStatus) => ROOM_STATUSES.filter((to) => canMoveRoomStatus(from, to));

describe('room status moves', () => {
  it('names every status, and only statuses', () => {
    expect(Object.keys(ROOM_STATUS_MOVES).sort()).toEqual([...ROOM_STATUSES].sort());
    for (const to of Object.values(ROOM_STATUS_MOVES).flat()) expect(ROOM_STATUSES).toContain(to);
  });

  it('a starting room becomes ready, fails, or is deleted', () => {
    expect(moves('starting')).toEqual(['ready', 'stopping', 'failed']);
  });

  it('a ready room fails, is deleted, or starts again (re-adopted, restarted)', () => {
    expect(moves('ready')).toEqual(['starting', 'stopping', 'failed']);
  });

  it('a failed room may recover (healthy again, container restarted) or be deleted', () => {
    expect(moves('failed')).toEqual(['starting', 'ready', 'stopping']);
  });

  it('stopping is terminal, and staying put is no move', () => {
    expect(moves('stopping')).toEqual([]);
    for (const s of ROOM_STATUSES) expect(canMoveRoomStatus(s, s)).toBe(false);
  });
});
