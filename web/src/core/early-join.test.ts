import { describe, expect, it } from 'vitest';
import type { JoinResult } from './api-client.js';
import { startEarlyJoin } from './early-join.js';

const named = (name: string | null) => ({ getItem: () => name });

describe('early join of a returning participant', () => {
  it('joins with the invite from the fragment and the remembered name', async () => {
    const calls: unknown[][] = [];
    const answer = { token: 't' } as JoinResult;
    const api = {
      join: async (...args: [string, string, string]) => {
        calls.push(args);
        return answer;
      },
    };
    const early = startEarlyJoin('room123456', '#invite=s3cret', named(' ann '), api);
    expect(early?.name).toBe('ann');
    await expect(early?.result).resolves.toBe(answer);
    expect(calls).toEqual([['room123456', 's3cret', 'ann']]);
  });

  it('leaves a first visit, or a link without an invite, to the page', () => {
    const api = {
      join: () => {
        throw new Error('must not join');
      },
    };
    expect(startEarlyJoin('room123456', '#invite=s3cret', named(null), api)).toBeNull();
    expect(startEarlyJoin('room123456', '', named('ann'), api)).toBeNull();
  });

  it('a failed join waits for the page to report it', async () => {
    const early = startEarlyJoin('room123456', '#invite=s3cret', named('ann'), {
      join: () => Promise.reject(new Error('401')),
    });
    await new Promise((r) => setTimeout(r, 10)); // no unhandled rejection meanwhile
    await expect(early?.result).rejects.toThrow('401');
  });
});
