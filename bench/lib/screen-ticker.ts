import { sleep } from '../../test/support/processes.js';
import { ScreenProbe } from './screen-probe.js';

/** how often the ticker's window changes colour */
const TICK_MS = 50;

/**
 * Keeps a corner of the room's screen changing (a probe window repainted every TICK_MS): capture is
 * damage-driven, so a still screen sends few frames and an outage could not be told from a quiet
 * desktop. Started again whenever it dies (its X server was killed).
 */
export class ScreenTicker {
  private stopped = false;
  private probe: ScreenProbe | null = null;
  constructor(private readonly screen: () => Promise<Parameters<typeof ScreenProbe.start>[0]>) {}
  start(): void {
    void this.loop();
  }
  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        this.probe = ScreenProbe.start(await this.screen());
        await this.probe.show(1100, 600, 64, 64, 0x00ff00);
        for (let i = 0; !this.stopped; i++) {
          await this.probe.fill(i % 2 ? 0x00ff00 : 0xff00ff);
          await sleep(TICK_MS);
        }
      } catch {
        // the X server went away (a fault) or is not up yet: try again shortly
      }
      await this.probe?.close().catch(() => {});
      if (!this.stopped) await sleep(200);
    }
  }
  async stop(): Promise<void> {
    this.stopped = true;
    await this.probe?.close().catch(() => {});
  }
}
