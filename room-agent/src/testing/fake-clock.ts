import type { Clock } from '../clock.js';

/** A clock for tests: time moves only in advance(), which runs due timers in order. */
export class FakeClock implements Clock {
  t = 1_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  /** delays asked of setTimeout, in order */
  readonly delays: number[] = [];
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.delays.push(ms);
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, v]) => v.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
  pending() {
    return this.timers.size;
  }
}
