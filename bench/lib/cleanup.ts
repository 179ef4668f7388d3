/** Things to undo, last first, whatever failed (processes, browser contexts, rooms, the dashboard). */
export class Cleanup {
  private readonly steps: Array<{ what: string; step: () => Promise<unknown> }> = [];
  constructor(private readonly log: (line: string) => void = () => {}) {}
  add(what: string, step: () => Promise<unknown>): void {
    this.steps.push({ what, step });
  }
  async run(): Promise<void> {
    while (this.steps.length) {
      const { what, step } = this.steps.pop()!;
      if (process.env.BOXROOM_BENCH_DEBUG) this.log(`cleanup: ${what}`);
      try {
        await step();
      } catch (err) {
        this.log(`cleanup: ${what} failed: ${(err as Error).message}`);
      }
    }
  }
}
