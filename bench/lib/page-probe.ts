/// <reference lib="dom" />
// page.evaluate() and addInitScript() callbacks run in the browser: they are serialized, so each one is
// self-contained. Every time they record is Date.now(), the machine's wall clock the bench also uses.
import type { Page } from 'playwright-core';

/**
 * What the frame probe needs of a page: `evaluate` with one serializable argument. Playwright's Page
 * (Chromium) and puppeteer's (Firefox over WebDriver BiDi) both have it.
 */
export interface ProbePage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/** Where the <video> is: inside the room page's shadow roots, or the only one on a plain page. */
export type VideoLocator = 'room' | 'plain';

/** A rectangle of the picture in video (remote screen) pixels, and the colour it should turn. */
export interface Target {
  x: number;
  y: number;
  w: number;
  h: number;
  rgb: [number, number, number];
}

export interface Hit {
  /** rVFC expectedDisplayTime: when the first frame showing the target is on screen (T1) */
  displayedAt: number;
  /** rVFC presentationTime: when it was handed to the compositor */
  presentedAt: number;
  /** when the callback ran */
  callbackAt: number;
  /**
   * the first animation frame whose drawImage of the <video> showed the target (the rAF's frame time):
   * when the page could first paint it, whatever the player says about its display (null: not seen
   * by a rAF within a second of the hit)
   */
  rafAt: number | null;
  /** the frame's media time, s */
  mediaTime: number;
  /** buffered.end - currentTime then, ms: what the player held back */
  bufferMs: number;
  /** last keydown on the page before the hit (input-to-photon's T0) */
  keyAt: number | null;
  /** the mean colour seen */
  rgb: [number, number, number];
}

export interface FirstFrame {
  /** expectedDisplayTime of the first presented frame */
  displayedAt: number;
  /** the page's navigation start */
  navigationAt: number;
  /** fetches the page made (tokens cut out): join, room polls, the stream */
  fetches: Array<{ url: string; start: number; headers: number; status: number }>;
}

/** What a page logs (console.debug) when it presented its first frame. */
const FIRST_FRAME_SIGNAL = '__bxFirstFramePresented';
/** per page: resolves true once it logged FIRST_FRAME_SIGNAL, false if it closed first */
const firstFrameSignals = new WeakMap<Page, Promise<boolean>>();

/**
 * Before any page script: record the first frame any <video> presents, and when each fetch started
 * and got its headers (the stream's fetch never completes, so Resource Timing has no entry for it).
 */
export async function recordFirstFrame(page: Page): Promise<void> {
  firstFrameSignals.set(
    page,
    page.waitForEvent('console', { predicate: (m) => m.text() === FIRST_FRAME_SIGNAL, timeout: 0 }).then(
      () => true,
      () => false,
    ),
  );
  await page.addInitScript((FIRST_FRAME_SIGNAL) => {
    const w = window as unknown as { __bxFirst: { displayedAt: number | null; fetches: unknown[] } };
    w.__bxFirst = { displayedAt: null, fetches: [] };
    const rvfc = HTMLVideoElement.prototype.requestVideoFrameCallback;
    HTMLVideoElement.prototype.requestVideoFrameCallback = function (cb) {
      return rvfc.call(this, (now, meta) => {
        if (w.__bxFirst.displayedAt === null) {
          w.__bxFirst.displayedAt = Date.now() + (meta.expectedDisplayTime - performance.now());
          // waitFirstFrame listens for this instead of asking the page while it loads
          console.debug(FIRST_FRAME_SIGNAL);
        }
        cb(now, meta);
      });
    };
    const fetch0 = window.fetch;
    window.fetch = async function (input: RequestInfo | URL, init?: RequestInit) {
      const url = String(input instanceof Request ? input.url : input).replace(/token=[^&]+/, 'token=-');
      const start = Date.now();
      const res = await fetch0.call(this, input, init);
      w.__bxFirst.fetches.push({ url, start, headers: Date.now(), status: res.status });
      return res;
    };
  }, FIRST_FRAME_SIGNAL);
}

/**
 * Resolves once the page presented a frame (see recordFirstFrame), or null after timeoutMs. It waits
 * for the page's console signal and asks the page only then: asking every few ms while the page loads
 * would take the renderer's main thread from the very work being timed.
 */
export async function waitFirstFrame(page: Page, timeoutMs: number): Promise<FirstFrame | null> {
  const signal = firstFrameSignals.get(page);
  if (!signal) throw new Error('waitFirstFrame: call recordFirstFrame on the page before it loads');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const seen = await Promise.race([
    signal,
    new Promise<false>((res) => (timer = setTimeout(() => res(false), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
  if (!seen) return null;
  const r = await page.evaluate(() => {
    const w = window as unknown as {
      __bxFirst: { displayedAt: number | null; fetches: FirstFrame['fetches'] };
    };
    return {
      displayedAt: w.__bxFirst.displayedAt,
      navigationAt: performance.timeOrigin,
      fetches: w.__bxFirst.fetches,
    };
  });
  return r.displayedAt === null ? null : (r as FirstFrame);
}

/**
 * The frame probe: on every presented frame (requestVideoFrameCallback) while armed, read the mean
 * colour of the target rectangle from the frame (canvas drawImage of the <video>), and record the
 * first frame whose colour is within 60 levels of the target on each channel.
 */
export async function installProbe(page: ProbePage, locator: VideoLocator): Promise<void> {
  await page.evaluate((loc) => {
    const find = (): HTMLVideoElement | null =>
      loc === 'plain'
        ? document.querySelector('video')
        : (document
            .querySelector('br-room-page')
            ?.shadowRoot?.querySelector('br-video-stage')
            ?.shadowRoot?.querySelector('video') ?? null);
    const video = find();
    if (!video) throw new Error('no <video> on the page');
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 8;
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    type T = { x: number; y: number; w: number; h: number; rgb: [number, number, number] };
    const p = {
      target: null as T | null,
      hit: null as unknown,
      keyAt: null as number | null,
      rafAt: null as number | null,
      waiter: null as ((h: unknown) => void) | null,
    };
    (window as unknown as { __bxProbe: typeof p }).__bxProbe = p;
    window.addEventListener('keydown', () => (p.keyAt = Date.now()), true);
    const meanOf = (t: T) => {
      g.drawImage(video, t.x, t.y, t.w, t.h, 0, 0, 8, 8);
      const d = g.getImageData(0, 0, 8, 8).data;
      const m = [0, 0, 0] as [number, number, number];
      for (let i = 0; i < d.length; i += 4) for (let c = 0; c < 3; c++) m[c]! += d[i + c]! / 64;
      return m;
    };
    const done = () => {
      const hit = p.hit as { rafAt: number | null } | null;
      if (!hit) return;
      hit.rafAt = p.rafAt;
      p.waiter?.(hit);
    };
    const onAnimationFrame = (now: number) => {
      const t = p.target;
      if (t && p.rafAt === null && meanOf(t).every((v, c) => Math.abs(v - t.rgb[c]!) < 60)) {
        p.rafAt = Date.now() + (now - performance.now());
        done();
      }
      requestAnimationFrame(onAnimationFrame);
    };
    requestAnimationFrame(onAnimationFrame);
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      const t = p.target;
      if (t && !p.hit) {
        const m = meanOf(t);
        if (m.every((v, c) => Math.abs(v - t.rgb[c]!) < 60)) {
          const nowWall = Date.now();
          const nowPerf = performance.now();
          let end = video.currentTime;
          for (let i = 0; i < video.buffered.length; i++)
            if (video.buffered.start(i) <= video.currentTime + 0.001) end = video.buffered.end(i);
          p.hit = {
            displayedAt: nowWall + (meta.expectedDisplayTime - nowPerf),
            presentedAt: nowWall + (meta.presentationTime - nowPerf),
            callbackAt: nowWall,
            mediaTime: meta.mediaTime,
            bufferMs: (end - video.currentTime) * 1000,
            keyAt: p.keyAt,
            rgb: m.map(Math.round),
            rafAt: null,
          };
          // the page's next animation frame draws it, or already did: the hit is complete then; else
          // it is given a second, for this hit only (the next sample may be armed and waiting by then)
          const hit = p.hit;
          if (p.rafAt !== null) done();
          else setTimeout(() => p.hit === hit && p.waiter?.(hit), 1000);
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }, locator);
}

/** Start watching for `target`; anything seen before does not count. */
export async function arm(page: ProbePage, target: Target): Promise<void> {
  await page.evaluate((t) => {
    const p = (window as unknown as { __bxProbe: { target: unknown; hit: unknown; keyAt: unknown } })
      .__bxProbe;
    Object.assign(p, { target: t, hit: null, keyAt: null, rafAt: null });
  }, target);
}

/** The hit for the armed target, or null after timeoutMs. */
export function waitHit(page: ProbePage, timeoutMs: number): Promise<Hit | null> {
  return page.evaluate((ms) => {
    const p = (
      window as unknown as {
        __bxProbe: { hit: unknown; target: unknown; waiter: ((h: unknown) => void) | null };
      }
    ).__bxProbe;
    if (p.hit) return Promise.resolve(p.hit as Hit);
    return new Promise<Hit | null>((resolve) => {
      const timer = setTimeout(() => {
        p.waiter = null;
        p.target = null;
        resolve(null);
      }, ms);
      p.waiter = (h) => {
        clearTimeout(timer);
        p.waiter = null;
        resolve(h as Hit);
      };
    });
  }, timeoutMs);
}

/**
 * The page's display refresh interval (ms): the median gap between `frames` animation frames. What the
 * page draws in one animation frame is on screen at the next refresh at the latest.
 */
export function refreshInterval(page: ProbePage, frames = 30): Promise<number> {
  return page.evaluate(
    (n) =>
      new Promise<number>((resolve) => {
        const at: number[] = [];
        const tick = (now: number) => {
          at.push(now);
          if (at.length <= n) return requestAnimationFrame(tick);
          const gaps = at.slice(1).map((t, i) => t - at[i]!);
          gaps.sort((a, b) => a - b);
          resolve(gaps[Math.floor(gaps.length / 2)]!);
        };
        requestAnimationFrame(tick);
      }),
    frames,
  );
}
