/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xClientEnv } from '../test/support/agent-helpers.js';
import { launchChromium } from '../test/support/browser.js';
import { DashboardProcess, REPO } from '../test/support/dashboard-process.js';
import { sleep } from '../test/support/processes.js';

const run = promisify(execFile);
const SAMPLES = Number(process.env.BOXROOM_E2E_LATENCY_SAMPLES ?? 15);

let dash: DashboardProcess | null = null;
let browser: Browser | null = null;
let baseUrl = '';

/**
 * Glass-to-glass through the product path (room agent, dashboard proxy, the real page): move the X
 * pointer with xdotool (ffmpeg draws it into the picture) and time when the page presents the first
 * frame whose pixels around the new position changed. Both clocks are this machine's wall clock.
 */
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const stage = document.querySelector('br-room-page')!.shadowRoot!.querySelector('br-video-stage')!;
    const video = stage.shadowRoot!.querySelector('video')!;
    const c = document.createElement('canvas');
    c.width = c.height = 24;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    const w = window as unknown as {
      __probe: { x: number; y: number; base: number | null; hit: number | null; lags: number[] };
    };
    w.__probe = { x: 0, y: 0, base: null, hit: null, lags: [] };
    const mean = () => {
      const p = w.__probe;
      // a 24x24 remote-pixel region at (x, y), in video pixels
      g.drawImage(video, p.x - 4, p.y - 4, 24, 24, 0, 0, 24, 24);
      const d = g.getImageData(0, 0, 24, 24).data;
      let s = 0;
      for (let i = 0; i < d.length; i += 4) s += d[i]! + d[i + 1]! + d[i + 2]!;
      return s / (d.length / 4);
    };
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      const p = w.__probe;
      const m = mean();
      if (p.base === null) p.base = m;
      else if (p.hit === null && Math.abs(m - p.base) > 20)
        p.hit = performance.timeOrigin + meta.expectedDisplayTime;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  });
}

async function measure(page: Page, display: number, runDir: string, n: number): Promise<number[]> {
  const env = xClientEnv(display, runDir);
  const spots = [
    [200, 560],
    [900, 450],
  ] as const;
  const out: number[] = [];
  for (let i = 0; i < n + 2; i++) {
    const [x, y] = spots[i % 2]!;
    await run('xdotool', ['mousemove', String(spots[(i + 1) % 2]![0]), String(spots[(i + 1) % 2]![1])], {
      env,
    });
    await sleep(350);
    await page.evaluate(
      ([px, py]) => {
        const p = (
          window as unknown as { __probe: { x: number; y: number; base: number | null; hit: number | null } }
        ).__probe;
        Object.assign(p, { x: px, y: py, base: null, hit: null });
      },
      [x, y],
    );
    await sleep(120); // a baseline frame
    const t0 = Date.now();
    await run('xdotool', ['mousemove', String(x), String(y)], { env });
    const deadline = Date.now() + 3000;
    let hit: number | null = null;
    while (Date.now() < deadline && hit === null) {
      await sleep(20);
      hit = await page.evaluate(() => (window as unknown as { __probe: { hit: number | null } }).__probe.hit);
    }
    if (hit !== null && i >= 2) out.push(Math.round(hit - t0));
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

beforeAll(async () => {
  // the dashboard serves the web UI itself
  dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
  baseUrl = dash.url;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await dash?.teardown();
}, 60_000);

describe('glass-to-glass in Chromium through the dashboard', () => {
  it('measures the player settings against each other', async () => {
    const headers = { authorization: `Bearer ${dash!.adminToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${baseUrl}/api/rooms`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'latency' }),
    });
    const room = (await created.json()) as { id: string; links: { participant: string } };
    expect(created.status, JSON.stringify(room) + dash!.output()).toBe(201);
    for (let i = 0; i < 150; i++) {
      const r = (await (await fetch(`${baseUrl}/api/rooms/${room.id}`, { headers })).json()) as {
        status: string;
      };
      if (r.status === 'ready') break;
      await sleep(200);
    }
    const { display, runDir } = dash!.localRoom(room.id);
    const configs = [
      {
        label: 'mpegts.js low-latency options only',
        liveEdge: false,
        lowLatencyRemux: false,
        transport: 'http',
      },
      { label: '+ no-holdback remux', liveEdge: false, lowLatencyRemux: true, transport: 'http' },
      {
        label: 'live-edge controller, mpegts.js remuxer (holdback), HTTP-FLV',
        liveEdge: true,
        lowLatencyRemux: false,
        transport: 'http',
      },
      {
        label: '+ live-edge controller (target 40 ms), HTTP-FLV',
        liveEdge: true,
        lowLatencyRemux: true,
        transport: 'http',
      },
      {
        label: '+ live-edge controller (target 40 ms), WS-FLV',
        liveEdge: true,
        lowLatencyRemux: true,
        transport: 'ws',
      },
    ];
    const results: Array<{ label: string; p50: number; p95: number; n: number; buffer: string }> = [];
    for (const c of configs) {
      const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await ctx.newPage();
      await page.addInitScript((s) => {
        localStorage.setItem('boxroom.player', JSON.stringify({ ...s, targetLatencyMs: 40 }));
      }, c);
      await page.goto(room.links.participant);
      await page.locator('br-join-form input[name=name]').fill('probe');
      await page.locator('br-join-form button[type=submit]').click();
      await page.locator('br-video-stage').waitFor();
      await expect
        .poll(async () => Number(await page.locator('[data-testid=frames]').textContent()), {
          timeout: 15_000,
        })
        .toBeGreaterThan(30);
      await sleep(4000); // the controller settles
      const timeline = [];
      for (let k = 0; k < 8; k++) {
        timeline.push(
          await page.evaluate(() => {
            const stage = document
              .querySelector('br-room-page')!
              .shadowRoot!.querySelector('br-video-stage')!;
            const v = stage.shadowRoot!.querySelector('video')!;
            const r = [];
            for (let i = 0; i < v.buffered.length; i++)
              r.push([v.buffered.start(i).toFixed(3), v.buffered.end(i).toFixed(3)]);
            return {
              t: Math.round(performance.now()),
              ct: v.currentTime.toFixed(3),
              rate: v.playbackRate,
              r,
              q: v.getVideoPlaybackQuality?.().droppedVideoFrames,
            };
          }),
        );
        await sleep(250);
      }
      console.log(c.label, JSON.stringify(timeline));
      await installProbe(page);
      const lags = await measure(page, display, runDir, SAMPLES);
      const buffer = (await page.locator('[data-testid=buffer]').textContent()) ?? '';
      results.push({ label: c.label, p50: pct(lags, 50), p95: pct(lags, 95), n: lags.length, buffer });
      console.log(c.label, JSON.stringify(lags), 'buffer', buffer);
      await ctx.close();
    }
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    writeFileSync(join(REPO, 'test-artifacts', 'web-latency.json'), JSON.stringify(results, null, 2) + '\n');
    console.table(results);
    for (const r of results) expect(r.n).toBeGreaterThan(SAMPLES / 2);
  }, 300_000);
});
