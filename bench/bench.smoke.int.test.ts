import { afterAll, describe, expect, it } from 'vitest';
import { Cleanup, runBench } from './lib/bench-run.js';
import { renderReport } from './lib/report.js';

const cleanup = new Cleanup();
afterAll(() => cleanup.run(), 60_000);

/** `npm run bench` in its shortest mode: every metric gets samples. The figures are not checked here. */
describe('the bench (smoke mode: a few samples of each metric)', () => {
  it('runs through the real dashboard, Chromium and Firefox and reports every metric', async () => {
    // the integration project's globalSetup has just built the bundles and the web UI
    const r = await runBench({ driver: 'local', mode: 'smoke', prebuilt: true }, cleanup);
    const keys = r.metrics.map((m) => m.key);
    for (const k of [
      'cold_start_local',
      'join',
      'g2g_720p30',
      'g2g_720p30_firefox',
      'input_to_photon',
      'av_offset_stream',
      'av_offset_page',
      'g2g_720p30_unmuted',
      'sound_at_reader',
      'sound_to_ear',
      'fanout_3_g2g',
      'fanout_3_agent_cpu',
      'fanout_3_dashboard_cpu',
      'shaped_direct_g2g',
      'shaped_3mbit_g2g',
      'shaped_half_g2g',
      'hls_g2g',
      'idle_cpu',
      'idle_rss',
      'idle_pss',
      'g2g_1080p30',
    ])
      expect(keys, renderReport(r)).toContain(k);
    for (const m of r.metrics) expect(m.n, `${m.key}\n${renderReport(r)}`).toBeGreaterThan(0);
    expect(r.hlsRatio).toBeGreaterThan(0);
    expect(Object.keys(r.breakdown)).toEqual(['720p30', '720p30 Firefox ESR', '1080p30']);
  }, 300_000);
});
