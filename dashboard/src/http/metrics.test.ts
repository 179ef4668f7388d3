import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';

const bytesOf = async (m: Metrics) =>
  (await m.render())
    .split('\n')
    .filter((l) => l.startsWith('boxroom_proxy_bytes_total{'))
    .sort();

describe('Metrics: proxied bytes', () => {
  it('adds them up per endpoint and direction and publishes each byte once, at scrape time', async () => {
    const m = new Metrics();
    const a = m.proxy('stream');
    const b = m.proxy('stream');
    const c = m.proxy('files');
    a.bytes('to_client', 1000);
    b.bytes('to_client', 24);
    a.bytes('to_room', 5);
    c.bytes('to_room', 7);
    expect(await bytesOf(m)).toEqual([
      'boxroom_proxy_bytes_total{kind="files",direction="to_room"} 7',
      'boxroom_proxy_bytes_total{kind="stream",direction="to_client"} 1024',
      'boxroom_proxy_bytes_total{kind="stream",direction="to_room"} 5',
    ]);
    // a second scrape adds only what passed since; a connection that ended leaves its bytes counted
    a.end();
    b.bytes('to_client', 1);
    expect(await bytesOf(m)).toEqual([
      'boxroom_proxy_bytes_total{kind="files",direction="to_room"} 7',
      'boxroom_proxy_bytes_total{kind="stream",direction="to_client"} 1025',
      'boxroom_proxy_bytes_total{kind="stream",direction="to_room"} 5',
    ]);
    expect(await m.render()).toContain('boxroom_proxy_open{kind="stream"} 1');
  });
});

describe('Metrics: relays', () => {
  it("shows the relays' figures as they are at scrape time, skips and drops as counters", async () => {
    const m = new Metrics();
    const lines = async () => (await m.render()).split('\n').filter((l) => /^boxroom_relay_\w+ /.test(l));
    expect(await lines()).toEqual([
      'boxroom_relay_upstreams 0',
      'boxroom_relay_viewers 0',
      'boxroom_relay_viewer_skips_total 0',
      'boxroom_relay_viewers_dropped_total 0',
    ]);
    const figures = { upstreams: 2, viewers: 5, skips: 3, dropped: 1 };
    m.relay({
      upstreams: () => figures.upstreams,
      viewers: () => figures.viewers,
      behindCounts: () => ({ skips: figures.skips, dropped: figures.dropped }),
    });
    expect(await lines()).toEqual([
      'boxroom_relay_upstreams 2',
      'boxroom_relay_viewers 5',
      'boxroom_relay_viewer_skips_total 3',
      'boxroom_relay_viewers_dropped_total 1',
    ]);
    figures.skips = 7; // the next scrape shows the total, not the total added again
    expect(await lines()).toContain('boxroom_relay_viewer_skips_total 7');
    expect(await m.render()).toContain('# TYPE boxroom_relay_viewer_skips_total counter');
  });
});
