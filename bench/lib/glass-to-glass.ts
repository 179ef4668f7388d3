import { sleep } from '../../test/support/processes.js';
import type { FlvTap } from './flv-tap.js';
import { arm, waitHit, type ProbePage, type Target } from './page-probe.js';
import type { ScreenProbe } from './screen-probe.js';
import { firstScreenshotShowing, regionOnPage, type ScreenshotPage } from './screenshot-watch.js';
import { summarize, type Summary } from './stats.js';

/** The probe window: a square near the bottom-right corner, away from the terminal's text. */
export const PROBE_SIZE = 96;
export const probeRect = (width: number, height: number) => ({
  x: width - PROBE_SIZE - 32,
  y: height - PROBE_SIZE - 32,
  w: PROBE_SIZE,
  h: PROBE_SIZE,
});
/** What the page and the tap read: the middle of the window (edges blur in 4:2:0 and in the encoder). */
export const probeRegion = (width: number, height: number) => {
  const r = probeRect(width, height);
  return { x: r.x + 24, y: r.y + 24, w: r.w - 48, h: r.h - 48 };
};

/**
 * The probe window's colours, in turn. Four, not two: a player seconds behind (HLS) that falls a little
 * further behind (a stall) would otherwise present the frame of two samples ago, the same colour as
 * the one awaited, as a hit within a few ms of the change (the HLS rows' p50 of 200-400 ms). Each
 * differs from every other by 255 in one channel at least (the probe allows 60).
 */
export const PROBE_COLOURS: Array<[number, [number, number, number]]> = [
  [0x00ff00, [0, 255, 0]],
  [0xff00ff, [255, 0, 255]],
  [0x0000ff, [0, 0, 255]],
  [0xffff00, [255, 255, 0]],
];

export interface G2gSample {
  /** X server done repainting (T0) */
  changedAt: number;
  /** first frame showing it presented in the browser (expectedDisplayTime, T1) */
  displayedAt: number;
  presentedAt: number;
  callbackAt: number;
  /** the first animation frame that drew it (page-probe.ts's Hit.rafAt) */
  rafAt: number | null;
  bufferMs: number;
  /** the frame's media time (s) */
  mediaTime: number;
  /** the tap's view of the same frame, when it has one */
  tapArrivedAt: number | null;
  tapFlvTs: number | null;
  /** the first browser screenshot showing it, when screenshots were asked for (screenshot-watch.ts) */
  shot: { from: number; by: number } | null;
}

/**
 * What counts as presented (T1): the player's own `expectedDisplayTime` (requestVideoFrameCallback),
 * or the display refresh after the first animation frame whose drawImage of the <video> shows the
 * change. Firefox's frame callback comes up to a keepalive interval (500 ms) after its screenshots
 * show the frame (docs/decisions.md, "Firefox's frame callbacks come late"), so Firefox is timed by its
 * paint.
 */
export type PresentedBy = { kind: 'frame-callback' } | { kind: 'animation-frame'; refreshMs: number };

export const BY_FRAME_CALLBACK: PresentedBy = { kind: 'frame-callback' };

/** T1 of a sample; a change no animation frame drew within a second of its frame callback keeps the latter */
export function presentedAt(s: G2gSample, by: PresentedBy = BY_FRAME_CALLBACK): number {
  return by.kind === 'animation-frame' && s.rafAt !== null ? s.rafAt + by.refreshMs : s.displayedAt;
}

/**
 * `n` samples: repaint the probe window in the other colour (T0 from the X server), wait for the page's
 * probe to see the first presented frame showing it (T1). Between samples a random 150-400 ms pause,
 * so a change lands anywhere in the capture interval rather than in step with it.
 */
export async function sampleGlassToGlass(
  page: ProbePage,
  probe: ScreenProbe,
  room: { width: number; height: number },
  n: number,
  opts: {
    tap?: FlvTap | null;
    timeoutMs?: number;
    until?: () => boolean;
    /** also watch the browser's screenshots for each change (slower; a check on the page's timing) */
    screenshots?: ScreenshotPage;
  } = {},
): Promise<{ samples: G2gSample[]; misses: number }> {
  const region = probeRegion(room.width, room.height);
  const samples: G2gSample[] = [];
  let misses = 0;
  const clip = opts.screenshots ? await regionOnPage(opts.screenshots, region, room) : null;
  // first, unrecorded: the window in the last colour and the page showing it, so that a slow player
  // (HLS, seconds behind) cannot present an older frame of the first colour as a hit
  const [primeRgb, primeExpect] = PROBE_COLOURS[PROBE_COLOURS.length - 1]!;
  await arm(page, { ...region, rgb: primeExpect });
  await probe.fill(primeRgb);
  await waitHit(page, 2 * (opts.timeoutMs ?? 3000));
  await sleep(200);
  for (let i = 0; (i < n || opts.until?.() === false) && misses < Math.max(5, n); i++) {
    const [rgb, expect] = PROBE_COLOURS[i % PROBE_COLOURS.length]!;
    const target: Target = { ...region, rgb: expect };
    await arm(page, target);
    // settled even if the sample throws first (cleanup may close the page under a screenshot)
    const watched = opts.screenshots
      ? firstScreenshotShowing(opts.screenshots, clip!, target, Date.now() + 1500).catch(() => null)
      : Promise.resolve(null);
    const rep = await probe.fill(rgb);
    const hit = await waitHit(page, opts.timeoutMs ?? 3000);
    const shot = await watched;
    const tapped = opts.tap ? await opts.tap.find(rep.sentAt, expect, 1000) : null;
    if (!hit) misses++;
    else
      samples.push({
        changedAt: rep.doneAt,
        displayedAt: hit.displayedAt,
        presentedAt: hit.presentedAt,
        callbackAt: hit.callbackAt,
        rafAt: hit.rafAt,
        bufferMs: hit.bufferMs,
        mediaTime: hit.mediaTime,
        tapArrivedAt: tapped?.arrivedAt ?? null,
        tapFlvTs: tapped?.flvTs ?? null,
        shot,
      });
    await sleep(150 + Math.random() * 250);
  }
  return { samples, misses };
}

export const latencies = (s: G2gSample[], by: PresentedBy = BY_FRAME_CALLBACK) =>
  s.map((x) => presentedAt(x, by) - x.changedAt);

/**
 * Where the time goes, per stage (ms). The capture instant is estimated from the FLV timestamps
 * (x11grab stamps each frame with the wall clock at grab): capture ~ flvTs + min(arrival - flvTs),
 * which puts it at most the fastest encode-to-reader time late.
 */
export function breakdown(
  samples: G2gSample[],
  minOffset: number,
  browser = 'Chromium',
  by: PresentedBy = BY_FRAME_CALLBACK,
): Record<string, Summary> {
  const t = samples.filter((s) => s.tapArrivedAt !== null && s.tapFlvTs !== null);
  const cap = (s: G2gSample) => s.tapFlvTs! + minOffset;
  const shot = samples.filter((s) => s.shot !== null);
  const out: Record<string, Summary> = {
    'screen change -> next capture (est.)': summarize(t.map((s) => cap(s) - s.changedAt)),
    'capture -> encoded, published, at a WS reader via the dashboard (est.)': summarize(
      t.map((s) => s.tapArrivedAt! - cap(s)),
    ),
    'screen change -> frame at a Node WS reader (measured)': summarize(
      t.map((s) => s.tapArrivedAt! - s.changedAt),
    ),
    [`at the reader -> presented in ${browser} (transfer, remux, MSE, decode, buffer, display)`]: summarize(
      t.map((s) => presentedAt(s, by) - s.tapArrivedAt!),
    ),
    'of which: player buffer ahead of currentTime at that frame': summarize(samples.map((s) => s.bufferMs)),
    'of which: rVFC callback -> expected display (vsync)': summarize(
      samples.map((s) => s.displayedAt - s.callbackAt),
    ),
    // expectedDisplayTime is the player's own estimate (with MSE it follows the media timeline, which the
    // low-latency remux moves back to the playhead); the callback is when the page saw the frame
    'screen change -> rVFC callback (the page has the frame; no display estimate)': summarize(
      samples.map((s) => s.callbackAt - s.changedAt),
    ),
    'screen change -> first animation frame that draws it (drawImage of the <video>)': summarize(
      samples.filter((s) => s.rafAt !== null).map((s) => s.rafAt! - s.changedAt),
    ),
  };
  if (by.kind === 'animation-frame') {
    out[`presented: that animation frame + one display refresh (${by.refreshMs.toFixed(1)} ms)`] = summarize(
      latencies(samples, by),
    );
    out['not counted: screen change -> rVFC expected display (comes late in this browser)'] = summarize(
      samples.map((s) => s.displayedAt - s.changedAt),
    );
  }
  if (shot.length)
    out["check: screen change -> the browser's first screenshot showing it (one every ~20 ms)"] = summarize(
      shot.map((s) => s.shot!.by - s.changedAt),
    );
  return out;
}
