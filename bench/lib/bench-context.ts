import type { Browser } from 'playwright-core';
import type { DashboardProcess } from '../../test/support/dashboard-process.js';
import type { BenchRooms } from './bench-rooms.js';
import type { BenchOptions, BenchResult, Metric } from './bench-types.js';
import type { ChaosResult } from './chaos.js';
import type { Cleanup } from './cleanup.js';
import type { RelayResult } from './relay.js';
import { installProbe } from './page-probe.js';
import { openRoomLink, waitPlaying, type RoomPage } from './room-page.js';
import { summarize, type Summary } from './stats.js';

/** What every section gets: the running dashboard and Chromium, and where its figures go. */
export class BenchContext {
  readonly metrics: Metric[] = [];
  readonly details: Record<string, unknown> = {};
  /** samples that timed out, by metric */
  readonly misses: Record<string, number> = {};
  readonly breakdown: BenchResult['breakdown'] = {};
  readonly errors: Record<string, string> = {};
  chaos: ChaosResult | undefined;
  relay: RelayResult | undefined;
  readonly log: (line: string) => void;

  constructor(
    readonly opts: BenchOptions,
    readonly dash: DashboardProcess,
    readonly browser: Browser,
    readonly rooms: BenchRooms,
    /** anything a section starts goes here, so a failed run leaves nothing behind */
    readonly cleanup: Cleanup,
  ) {
    this.log = opts.log ?? (() => {});
  }

  /** Records a figure: `key` is its JSON name, `target` the project's goal (fills the report's `met`). */
  add(m: Omit<Metric, keyof Summary | 'met'>, xs: number[], digits = 1): void {
    const s = summarize(xs, digits);
    const met =
      m.target && s.n
        ? (m.target.p50 === undefined || s.p50! <= m.target.p50) &&
          (m.target.p95 === undefined || s.p95! <= m.target.p95)
        : undefined;
    this.metrics.push({ ...m, ...s, ...(met === undefined ? {} : { met }) });
    this.log(`  ${m.label}: n=${s.n} p50=${s.p50} p95=${s.p95} max=${s.max} ${m.unit}`);
  }

  miss(key: string): void {
    this.misses[key] = (this.misses[key] ?? 0) + 1;
  }

  /** A part of the run whose failure is reported in the result instead of ending the run. */
  async section(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      this.errors[name] = (err as Error).message.slice(0, 2000);
      this.log(`${name} failed: ${this.errors[name]}`);
    }
  }

  /** A room link opened in a fresh context (closed by cleanup), as a person opening it. */
  async openPage(link: string): Promise<RoomPage> {
    const p = await openRoomLink(this.browser, link);
    this.cleanup.add('close a page', () => p.ctx.close());
    return p;
  }

  /** A room page playing, with the frame probe installed: ready for glass-to-glass samples. */
  async openPlayingPage(link: string): Promise<RoomPage> {
    const p = await this.openPage(link);
    await waitPlaying(p.page, 3, this.opts.mode === 'smoke' ? 1000 : 3000);
    await installProbe(p.page, 'room');
    return p;
  }
}
