import { describe, expect, it } from 'vitest';
import { renewLeadMs, TokenRenewal, type Renewed } from './token-renewal.js';

function setup(answers: Array<Renewed | { status: number }>) {
  let t = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const tokens: string[] = [];
  const refused: string[] = [];
  const calls: number[] = [];
  const r = new TokenRenewal({
    renew: async () => {
      calls.push(t);
      const a = answers.shift();
      if (!a || 'status' in a) throw Object.assign(new Error('nope'), { status: a?.status ?? 0 });
      return a;
    },
    onToken: (x) => tokens.push(x.token),
    onRefused: (m) => refused.push(m),
    now: () => t,
    setTimer: (fn, ms) => {
      const timer = { at: t + ms, fn };
      timers.push(timer);
      return timer;
    },
    clearTimer: (x) => void timers.splice(timers.indexOf(x as (typeof timers)[0]), 1),
  });
  const advance = async (ms: number) => {
    const end = t + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      t = next.at;
      next.fn();
      await new Promise((res) => setTimeout(res, 0));
    }
    t = end;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  return { r, advance, tokens, refused, calls, iso };
}

describe('TokenRenewal', () => {
  it('renews a third of the life before expiry (2 s to 60 s) and keeps going', async () => {
    expect(renewLeadMs(3_600_000)).toBe(60_000);
    expect(renewLeadMs(12_000)).toBe(4_000);
    expect(renewLeadMs(3_000)).toBe(2_000);
    const s = setup([
      { token: 'b', expiresAt: new Date(20_000).toISOString() },
      { token: 'c', expiresAt: new Date(30_000).toISOString() },
    ]);
    s.r.start(s.iso(12_000));
    await s.advance(7_999);
    expect(s.calls).toEqual([]);
    await s.advance(1);
    expect(s.calls).toEqual([8_000]);
    expect(s.tokens).toEqual(['b']);
    await s.advance(20_000);
    expect(s.tokens).toEqual(['b', 'c']);
    s.r.stop();
  });

  it('retries network failures while the token lives; stops for good on 401/403', async () => {
    const s = setup([{ status: 0 }, { status: 503 }, { status: 403 }]);
    s.r.start(s.iso(12_000));
    await s.advance(30_000);
    // 8 s fails, 10 s fails, 12 s would be past the expiry: the sockets re-join then
    expect(s.calls).toEqual([8_000, 10_000]);
    expect(s.refused).toEqual([]);
    const k = setup([{ status: 403 }]);
    k.r.start(k.iso(12_000));
    await k.advance(30_000);
    expect(k.calls).toEqual([8_000]);
    expect(k.refused).toEqual(['nope']);
  });
});
