import { describe, expect, it } from 'vitest';
import { LiveEdgeController } from './live-edge-controller.js';

/** Simulates a player: frames arrive every `frameMs`, playback advances by rate. */
function simulate(opts: { startLagMs: number; frameMs?: number; seconds: number; liveEdge?: boolean }) {
  const ctl = new LiveEdgeController({ targetMs: 40 });
  const frame = opts.frameMs ?? 33.3;
  let buffered = opts.startLagMs / 1000;
  let current = 0;
  let rate = 1;
  const lags: number[] = [];
  let seeks = 0;
  for (let t = 0; t < opts.seconds * 1000; t += frame) {
    buffered += frame / 1000; // one frame arrives
    current = Math.min(buffered, current + (frame / 1000) * rate);
    const d = ctl.update({ nowMs: t, currentTimeS: current, bufferedEndS: buffered });
    if (d.seekToS !== null) {
      current = d.seekToS;
      seeks += 1;
    }
    rate = d.playbackRate;
    lags.push((buffered - current) * 1000);
  }
  return { lags, seeks, rate };
}

describe('LiveEdgeController', () => {
  it('plays at 1x inside the dead band', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, deadbandMs: 8 });
    for (let t = 0; t < 1000; t += 33) {
      const d = ctl.update({ nowMs: t, currentTimeS: 10, bufferedEndS: 10.045 });
      expect(d.playbackRate).toBe(1);
      expect(d.seekToS).toBeNull();
    }
  });

  it('speeds up in proportion to the excess, capped at maxRate', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, deadbandMs: 8, gainPerMs: 0.004, maxRate: 1.5 });
    expect(ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.098 }).playbackRate).toBeCloseTo(1.2, 2);
    const far = new LiveEdgeController({ targetMs: 40, maxRate: 1.5 });
    expect(far.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.4 }).playbackRate).toBe(1.5);
  });

  it('decides on the window minimum, not the saw-tooth peak', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, windowMs: 500 });
    ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.04 });
    const d = ctl.update({ nowMs: 33, currentTimeS: 0, bufferedEndS: 0.073 });
    expect(d.floorMs).toBeCloseTo(40, 5);
    expect(d.playbackRate).toBe(1);
  });

  it('slows slightly when the reserve falls below half the target', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, minRate: 0.95 });
    expect(ctl.update({ nowMs: 0, currentTimeS: 1, bufferedEndS: 1.01 }).playbackRate).toBe(0.95);
  });

  it('seeks to the edge minus the target when far behind, then not again during the cooldown', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, seekAboveMs: 600, seekCooldownMs: 1500 });
    const d = ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 2 });
    expect(d.seekToS).toBeCloseTo(1.96, 5);
    expect(ctl.update({ nowMs: 100, currentTimeS: 0, bufferedEndS: 2 }).seekToS).toBeNull();
    expect(ctl.update({ nowMs: 1600, currentTimeS: 0, bufferedEndS: 2 }).seekToS).not.toBeNull();
  });

  it('converges from a GOP behind to near the target within 3 s, without seeking', () => {
    const { lags, seeks } = simulate({ startLagMs: 500, seconds: 6 });
    expect(seeks).toBe(0);
    const after3s = lags.slice(Math.ceil(3000 / 33.3));
    // the reading saw-tooths by a frame above the floor
    expect(Math.max(...after3s)).toBeLessThan(40 + 33.3 + 12);
    expect(Math.min(...after3s)).toBeGreaterThan(15);
  });

  it('reports nothing and plays at 1x with an empty buffer', () => {
    const d = new LiveEdgeController().update({ nowMs: 0, currentTimeS: 0, bufferedEndS: null });
    expect(d).toEqual({ playbackRate: 1, seekToS: null, lagMs: 0, floorMs: 0 });
  });

  it('holds a rate for rateHoldMs, but returns to 1x at once', () => {
    const ctl = new LiveEdgeController({ targetMs: 40, rateHoldMs: 1000 });
    expect(ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.4 }).playbackRate).toBe(1.5);
    ctl.reset();
    expect(ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.1 }).playbackRate).toBeCloseTo(1.208, 3);
    // 100 ms later the excess grew, but the rate is held
    expect(ctl.update({ nowMs: 100, currentTimeS: 0, bufferedEndS: 0.2 }).playbackRate).toBeCloseTo(1.208, 3);
    expect(ctl.update({ nowMs: 1100, currentTimeS: 0, bufferedEndS: 0.13 }).playbackRate).toBeCloseTo(
      1.328,
      3,
    );
    const back = new LiveEdgeController({ targetMs: 40, rateHoldMs: 1000 });
    back.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.1 });
    expect(back.update({ nowMs: 600, currentTimeS: 0.06, bufferedEndS: 0.1 }).playbackRate).toBe(1);
  });

  it('takes a new target at once', () => {
    const ctl = new LiveEdgeController({ targetMs: 40 });
    ctl.targetMs = 200;
    expect(ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.09 }).playbackRate).toBe(0.95);
  });

  it('tune() changes the catch-up at once (the gentler one with audio: slower, no seek until far behind)', () => {
    const ctl = new LiveEdgeController({ targetMs: 250 });
    ctl.tune({ maxRate: 1.1, gainPerMs: 0.001, deadbandMs: 30, seekAboveMs: 2000 });
    const d = ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 1.5 });
    expect(d).toMatchObject({ playbackRate: 1.1, seekToS: null });
    ctl.reset();
    // within target + deadband: 1x
    expect(ctl.update({ nowMs: 0, currentTimeS: 0, bufferedEndS: 0.27 }).playbackRate).toBe(1);
  });
});
