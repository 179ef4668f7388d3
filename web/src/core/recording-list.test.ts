import { describe, expect, it } from 'vitest';
import type { Recording } from '@boxroom/contracts';
import { hashWithRecording, newestFirst, recordingFromHash } from './recording-list.js';
import { inviteFromHash } from './api-client.js';

const rec = (id: string, startedAt: string): Recording => ({
  id,
  roomId: 'room1',
  roomName: 'demo',
  state: 'complete',
  startedAt,
  endedAt: null,
  durationS: 10,
  bytes: 1000,
  links: { play: `/p/${id}`, download: `/d/${id}` },
});

describe('recording list', () => {
  it('puts the newest first', () => {
    const list = [
      rec('a', '2026-12-01T10:00:00Z'),
      rec('c', '2026-12-03T09:00:00Z'),
      rec('b', '2026-12-02T10:00:00Z'),
    ];
    expect(newestFirst(list).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(list.map((r) => r.id)).toEqual(['a', 'c', 'b']);
  });

  it('keeps the open recording in the fragment next to the invite', () => {
    const h = hashWithRecording('#invite=s3cr%2Bt', 'rec_01');
    expect(recordingFromHash(h)).toBe('rec_01');
    expect(inviteFromHash(h)).toBe('s3cr+t');
    const back = hashWithRecording(h, null);
    expect(recordingFromHash(back)).toBeNull();
    expect(inviteFromHash(back)).toBe('s3cr+t');
    expect(hashWithRecording('', null)).toBe('');
  });

  it('refuses a recording id that is not one', () => {
    expect(recordingFromHash('#recording=../x')).toBeNull();
    expect(recordingFromHash('#recording=')).toBeNull();
  });
});
