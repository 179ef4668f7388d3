/** A few gauges and counters in the Prometheus text format; enough to watch rooms and the proxy. */
export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly gauges = new Map<string, number>();

  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = series(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  /** +1 now; the returned function does -1 (call it once, when the thing ends). */
  track(name: string, labels: Record<string, string> = {}): () => void {
    const key = series(name, labels);
    this.gauges.set(key, (this.gauges.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.gauges.set(key, (this.gauges.get(key) ?? 1) - 1);
    };
  }

  render(extra: Record<string, number> = {}): string {
    const lines: string[] = [];
    for (const [k, v] of this.counters) lines.push(`${k} ${v}`);
    for (const [k, v] of this.gauges) lines.push(`${k} ${v}`);
    for (const [k, v] of Object.entries(extra)) lines.push(`${k} ${v}`);
    return `${lines.sort().join('\n')}\n`;
  }
}

export function series(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
