/** n, median, 95th percentile and maximum of one metric's samples (nearest-rank percentiles). */
export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function summarize(xs: readonly number[], digits = 1): Summary {
  const round = (x: number | null) => (x === null ? null : Number(x.toFixed(digits)));
  return {
    n: xs.length,
    p50: round(percentile(xs, 50)),
    p95: round(percentile(xs, 95)),
    max: round(xs.length ? Math.max(...xs) : null),
  };
}

/** Each stage's summary over rows of stage timings (ms); a stage that was not seen (NaN) is left out. */
export function stageSummaries(rows: Array<Record<string, number>>): Record<string, Summary> {
  const out: Record<string, Summary> = {};
  for (const k of Object.keys(rows[0] ?? {}))
    out[k] = summarize(
      rows.map((r) => r[k]!).filter((x) => Number.isFinite(x)),
      0,
    );
  return out;
}
