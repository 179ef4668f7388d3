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
