import { describe, expect, it } from 'vitest';
import { LATENCY_REPORT_EVERY_MS, LatencyReport } from './latency-report.js';

describe('LatencyReport', () => {
  it('sends while playing, at most once per interval, and retries when the socket was closed', () => {
    let now = 0;
    let open = false;
    const sent: number[] = [];
    const r = new LatencyReport(
      (ms) => (open ? (sent.push(ms), true) : false),
      () => now,
    );
    r.offer(false, 120); // nothing shown yet
    r.offer(true, 120.4); // no socket
    expect(sent).toEqual([]);
    open = true;
    r.offer(true, 120.4);
    now += LATENCY_REPORT_EVERY_MS - 1;
    r.offer(true, 130);
    expect(sent).toEqual([120]);
    now += 1;
    r.offer(true, 130);
    r.offer(true, -1);
    expect(sent).toEqual([120, 130]);
  });
});
