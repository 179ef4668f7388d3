import { describe, expect, it } from 'vitest';
import { RoomStatusWaiters } from './room-status-waiters.js';

const never = new AbortController().signal;
type R = { status: 'starting' | 'ready' | 'failed' | 'stopping' };

describe('RoomStatusWaiters', () => {
  it('a move between the caller read and the registration is not missed: the registered read sees it', async () => {
    const w = new RoomStatusWaiters();
    const reads: R[] = [{ status: 'ready' }];
    const started = Date.now();
    const r = await w.settled('a', { ms: 5000, signal: never }, async () => reads.shift()!);
    expect(r.status).toBe('ready');
    expect(Date.now() - started).toBeLessThan(500);
    expect(w.size).toBe(0);
  });

  it('resolves on a move of its room only, then reads again', async () => {
    const w = new RoomStatusWaiters();
    let status: R['status'] = 'starting';
    const held = w.settled('a', { ms: 5000, signal: never }, async () => ({ status }));
    await new Promise((r) => setTimeout(r, 10));
    w.moved('b', 'ready');
    w.moved('a', 'starting');
    expect(w.size).toBe(1);
    status = 'ready';
    w.moved('a', 'ready');
    expect((await held).status).toBe('ready');
    expect(w.size).toBe(0);
  });

  it('ends when the caller goes, and when its time is up, leaving nothing registered', async () => {
    const w = new RoomStatusWaiters();
    const gone = new AbortController();
    const read = async (): Promise<R> => ({ status: 'starting' });
    const held = w.settled('a', { ms: 5000, signal: gone.signal }, read);
    const timed = w.settled('a', { ms: 50, signal: never }, read);
    await new Promise((r) => setTimeout(r, 10));
    expect(w.size).toBe(2);
    gone.abort();
    expect((await held).status).toBe('starting');
    expect((await timed).status).toBe('starting');
    expect(w.size).toBe(0);
  });

  it('a read that throws (the room is gone) ends the wait with that error', async () => {
    const w = new RoomStatusWaiters();
    await expect(
      w.settled('a', { ms: 5000, signal: never }, async () => {
        throw new Error('gone');
      }),
    ).rejects.toThrow('gone');
    expect(w.size).toBe(0);
  });
});
