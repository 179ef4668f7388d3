import { describe, expect, it } from 'vitest';
import { closeVerdict } from './close-reasons.js';

describe('closeVerdict', () => {
  it('4504: the room failed; no retry, and the reason is shown (not "restarting")', () => {
    const v = closeVerdict(
      4504,
      'room failed: the desktop did not come back in 60 s (app backoff)',
      'session',
    );
    expect(v).toEqual({
      retry: false,
      rejoin: false,
      message:
        'This room has failed and will not come back: the desktop did not come back in 60 s (app backoff)',
    });
    expect(closeVerdict(4504, '', 'stream').message).toBe('This room has failed and will not come back.');
  });

  it('4503 still retries; 4429 does not', () => {
    expect(closeVerdict(4503, '', 'stream').retry).toBe(true);
    expect(closeVerdict(4429, 'too many sockets', 'session')).toMatchObject({ retry: false, rejoin: false });
  });
});
