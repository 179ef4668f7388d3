import { LATENCY_REPORT_MIN_INTERVAL_MS } from '@boxroom/contracts';

/** A page reports this often: twice the agent's floor, so a late timer never meets a refusal. */
export const LATENCY_REPORT_EVERY_MS = 2 * LATENCY_REPORT_MIN_INTERVAL_MS;

/**
 * Hands the player's glass-to-glass figure to the room (the `latency` session message, for the
 * room's `boxroom_room_glass_to_glass_seconds`) at most once per LATENCY_REPORT_EVERY_MS, and only
 * while frames are shown. Called with every stats update; no timer of its own.
 */
export class LatencyReport {
  private last = -Infinity;

  constructor(
    private readonly send: (glassToGlassMs: number) => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  offer(playing: boolean, glassToGlassMs: number): void {
    if (!playing || !Number.isFinite(glassToGlassMs) || glassToGlassMs < 0) return;
    const now = this.now();
    if (now - this.last < LATENCY_REPORT_EVERY_MS) return;
    // not sent (no open socket): try again with the next stats update
    if (this.send(Math.round(glassToGlassMs))) this.last = now;
  }
}
