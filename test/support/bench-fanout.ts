// Per-viewer CPU cost of the stream fan-out, with real NMS, a real ffmpeg publisher (720p30 lavfi, FLV
// on its stdout, published in process as in a room)
// and N reader connections in a separate process. Run:
//   npx esbuild test/support/bench-fanout.ts --bundle --platform=node --format=esm \
//     --external:node-media-server --external:ws --external:pino --outfile=node_modules/.cache/bench-fanout.mjs
//   node node_modules/.cache/bench-fanout.mjs [viewers=50] [seconds=10]
// Prints the agent process's CPU (user+sys, % of one core) with 0 viewers and with N viewers through
// our fan-out (WS-FLV, HTTP-FLV), and with N direct NMS HTTP-FLV plays for comparison.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { MediaServer } from '../../room-agent/src/media/media-server.js';
import { StreamFanout } from '@boxroom/media-fanout';
import { lavfiPublishArgs, ProcessGroup, sleep } from './processes.js';

type Kind = 'ws' | 'http';

/** Reader process: open `n` connections to `url`, count bytes, report once a second. */
async function readers(kind: Kind, url: string, n: number): Promise<void> {
  let bytes = 0;
  let open = 0;
  for (let i = 0; i < n; i++) {
    if (kind === 'ws') {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('open', () => open++);
      ws.on('message', (d: Buffer) => (bytes += d.length));
    } else {
      get(url, (res) => {
        open++;
        res.on('data', (d: Buffer) => (bytes += d.length));
      });
    }
  }
  setInterval(() => process.send?.({ open, bytes }), 1000);
}

async function measure(seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
}

async function main(): Promise<void> {
  const [, , a, b, c, d] = process.argv;
  if (a === '--readers') return readers(b as Kind, c!, Number(d));
  const n = Number(a ?? 50);
  const seconds = Number(b ?? 10);
  const logger = pino({ level: 'warn' });
  const procs = new ProcessGroup();
  const runDir = await mkdtemp(join(tmpdir(), 'boxroom-bench-'));
  const media = new MediaServer({ streamName: 'bench', httpPort: 0, runDir, logger });
  await media.start();
  const fanout = new StreamFanout(media.source(), { maxBacklogBytes: 16 * 1024 * 1024, logger });
  const http = createServer((req, res) => {
    if (req.url === '/stream.flv') fanout.attachHttp(res);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, path: '/stream', perMessageDeflate: false });
  wss.on('connection', (ws) => fanout.attachWs(ws));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as { port: number }).port;
  try {
    const ffmpeg = procs.spawn('ffmpeg', lavfiPublishArgs(), { stdio: ['ignore', 'pipe', 'pipe'] });
    media.publishFrom(ffmpeg.stdout!);
    await media.waitForPublish(AbortSignal.timeout(15_000));
    await sleep(2000);
    const results: Record<string, number> = { idle: await measure(seconds) };
    const runs: [string, Kind, string][] = [
      ['fanout ws', 'ws', `ws://127.0.0.1:${port}/stream`],
      ['fanout http', 'http', `http://127.0.0.1:${port}/stream.flv`],
      ['nms direct http', 'http', media.playUrl('http')],
    ];
    for (const [name, kind, url] of runs) {
      const child = fork(process.argv[1]!, ['--readers', kind, url, String(n)], { stdio: 'inherit' });
      let last = { open: 0, bytes: 0 };
      child.on('message', (m: typeof last) => (last = m));
      await sleep(3000);
      const before = last.bytes;
      const cpu = await measure(seconds);
      results[name] = cpu;
      process.stderr.write(
        `${name}: ${last.open}/${n} open, ${((last.bytes - before) / seconds / 1e6).toFixed(1)} MB/s read, ` +
          `viewers=${fanout.viewerCount()}, cpu ${cpu.toFixed(1)}%\n`,
      );
      child.kill();
      await sleep(1500);
    }
    const idle = results.idle!;
    for (const [name, cpu] of Object.entries(results)) {
      const per = name === 'idle' ? '' : `, ${((cpu - idle) / n).toFixed(3)}% of a core per viewer`;
      process.stdout.write(`${name}: ${cpu.toFixed(1)}% of a core${per}\n`);
    }
  } finally {
    fanout.close();
    wss.close();
    http.closeAllConnections();
    http.close();
    await procs.killAll();
    await media.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

void main();
