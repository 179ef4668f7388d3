import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../dashboard/src/http/metrics.js';
import { RoomSeries } from '../../dashboard/src/metrics/room-series.js';
import { REPO } from '../support/dashboard-process.js';

const DIR = join(REPO, 'compose/monitoring');

/** Every series name /metrics can carry, histograms with their _bucket, _sum and _count. */
function exportedNames(): Set<string> {
  const metrics = new Metrics();
  // registers the per-room series and boxroom_rooms; never asked to refresh here
  new RoomSeries({ registry: metrics.registry, driver: null!, agent: null!, tokens: null!, log: null! });
  const names = new Set<string>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Every `expr` (and templating query) of the dashboard JSON, wherever it is nested. */
function queries(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) queries(n, out);
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'expr' || k === 'definition') && typeof v === 'string') out.push(v);
      else queries(v, out);
    }
  return out;
}

describe('compose/monitoring', () => {
  it('the Grafana dashboard is valid JSON and every query names series the dashboard exports', () => {
    const dash = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: unknown[] }>;
    };
    const exported = exportedNames();
    const exprs = queries(dash);
    expect(exprs.length).toBeGreaterThanOrEqual(dash.panels.length);
    for (const expr of exprs) {
      const named = expr.match(/\bboxroom_[a-z_]+/g) ?? [];
      expect(named.length, expr).toBeGreaterThan(0);
      for (const name of named) expect(exported, `${name} in ${expr}`).toContain(name);
    }
    // the panels the operators asked for, by the series they show
    const all = exprs.join('\n');
    for (const must of [
      'rate(boxroom_room_frames_total',
      'boxroom_room_viewers',
      'boxroom_room_bitrate_bits_per_second',
      'boxroom_room_controller_present',
      'histogram_quantile(0.5, sum by (room, le) (rate(boxroom_room_glass_to_glass_seconds_bucket',
      'histogram_quantile(0.95, sum by (room, le) (rate(boxroom_room_glass_to_glass_seconds_bucket',
      'boxroom_room_encode_seconds_bucket',
    ])
      expect(all).toContain(must);
  });

  it('Prometheus reads the bearer from a file and scrapes /metrics', () => {
    const yml = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    expect(yml).toMatch(/metrics_path: \/metrics/);
    expect(yml).toMatch(/authorization:\s+type: Bearer\s+(#.*\s+)*credentials_file: \S+/);
    expect(yml).not.toMatch(/^\s*credentials:/m);
  });
});
