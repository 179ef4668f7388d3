// What the RTMP hop cost, measured paired: one ffmpeg (lavfi 720p30 x264 + AAC) writes each packet to a
// tee of two FLV outputs, its stdout (published in process by FlvPipePublisher, as in a room) and RTMP
// to NMS on loopback (the former ingest). Each video tag's arrival at an in-process tap of each stream
// path is stamped; per frame, rtmp arrival - pipe arrival is what the RTMP hop added (both outputs get
// the same packet within microseconds, so machine load hits both alike; `rtmp-first` swaps the order
// in which the tee writes them). Run:
//   npx esbuild test/support/bench-ingest-hop.ts --bundle --platform=node --format=cjs \
//     --external:node-media-server --external:pino --outfile=node_modules/.cache/bench-ingest-hop.cjs
//   node node_modules/.cache/bench-ingest-hop.cjs [seconds=20] [pipe-first|rtmp-first]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import NodeMediaServer from 'node-media-server';
import { pino } from 'pino';
import { FlvPipePublisher } from '../../room-agent/src/media/flv-pipe-publisher.js';
import { NmsStream } from '../../room-agent/src/media/nms-stream.js';
import { bridgeNmsLogs } from '../../room-agent/src/media/nms-log-bridge.js';
import { ensurePort } from '../../room-agent/src/media/free-port.js';

const log = pino({ level: 'warn' });
const seconds = Number(process.argv[2] ?? 20);
const pipeFirst = process.argv[3] !== 'rtmp-first';

async function main() {
  bridgeNmsLogs(log);
  const rtmpPort = await ensurePort('127.0.0.1', 0);
  const storeDir = mkdtempSync(join(tmpdir(), 'boxroom-hop-'));
  const nms = new NodeMediaServer({
    bind: '127.0.0.1',
    rtmp: { port: rtmpPort },
    store: { path: storeDir },
    webadmin: { enable: false },
  });
  await nms.run();
  const arrivals: Record<string, Map<number, number>> = { pipe: new Map(), rtmp: new Map() };
  for (const name of ['pipe', 'rtmp']) {
    const s = new NmsStream(`/live/${name}`, log);
    s.setTagListener((tag) => {
      if (tag[0] !== 9 || tag[12] !== 1) return; // video NALUs only
      const ts = tag.readUIntBE(4, 3) | (tag[7]! << 24);
      if (!arrivals[name]!.has(ts)) arrivals[name]!.set(ts, performance.now());
    });
  }
  const out = (url: string) => `[f=flv:flvflags=no_duration_filesize]${url}`;
  const outs = [out('pipe:1'), out(`rtmp\\://127.0.0.1\\:${rtmpPort}/live/rtmp`)];
  if (!pipeFirst) outs.reverse();
  const ff = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
      ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v', '-map', '1:a'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '30', '-bf', '0'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'],
      ...['-flush_packets', '1', '-t', String(seconds), '-f', 'tee', outs.join('|')],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  new FlvPipePublisher('/live/pipe', {}, ff.stdout!, log).run();
  await new Promise((r) => ff.once('exit', r));
  const d: number[] = [];
  for (const [ts, tp] of arrivals.pipe!) {
    const tr = arrivals.rtmp!.get(ts);
    if (tr !== undefined) d.push(tr - tp);
  }
  const series = d.slice();
  const buckets: string[] = [];
  for (let i = 0; i < series.length; i += 30) buckets.push(Math.max(...series.slice(i, i + 30)).toFixed(1));
  console.log('max per second:', buckets.join(' '));
  d.sort((a, b) => a - b);
  const q = (p: number) => d[Math.min(d.length - 1, Math.floor(p * d.length))]!.toFixed(2);
  console.log(
    JSON.stringify({
      order: pipeFirst ? 'pipe-first' : 'rtmp-first',
      frames: d.length,
      pipeFrames: arrivals.pipe!.size,
      rtmpFrames: arrivals.rtmp!.size,
      p5: q(0.05),
      p50: q(0.5),
      p95: q(0.95),
      max: d.at(-1)!.toFixed(2),
      load: loadavg()
        .map((x: number) => x.toFixed(1))
        .join(' '),
    }),
  );
  await nms.stop();
  rmSync(storeDir, { recursive: true, force: true });
  process.exit(0);
}
void main();
