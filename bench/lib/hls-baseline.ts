import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO } from '../../test/support/dashboard-process.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>HLS baseline</title>
<body style="margin:0;background:#000">
<video muted autoplay playsinline style="width:1280px;height:720px"></video>
<script src="/hls.min.js"></script>
<script>
  const video = document.querySelector('video');
  const hls = new Hls(); // defaults: the traditional way (three target durations behind the live edge)
  hls.loadSource('/live/index.m3u8');
  hls.attachMedia(video);
  video.play().catch(() => {});
  // a frame loop, so the bench's first-frame recorder (which wraps requestVideoFrameCallback) sees frames
  const tick = () => video.requestVideoFrameCallback(tick);
  tick();
</script>`;

/**
 * The traditional baseline for the same room: ffmpeg copies the room's stream (no second encode) into
 * 1 s HLS segments in a temporary directory, a tiny static server on 127.0.0.1 serves them with hls.js,
 * and the bench's page probe measures it like the product's player.
 */
export class HlsBaseline {
  private constructor(
    private readonly ffmpeg: ChildProcess,
    private readonly server: Server,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(streamUrl: string): Promise<HlsBaseline> {
    const dir = mkdtempSync(join(tmpdir(), 'boxroom-bench-hls-'));
    const ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
        ...['-fflags', 'nobuffer', '-probesize', '32768', '-analyzeduration', '0', '-i', streamUrl],
        ...['-map', '0:v', '-c', 'copy', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6'],
        ...['-hls_flags', 'delete_segments+independent_segments', join(dir, 'index.m3u8')],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    ffmpeg.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
    const hlsJs = join(REPO, 'node_modules', 'hls.js', 'dist', 'hls.min.js');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const file =
        path === '/hls.min.js' ? hlsJs : path.startsWith('/live/') ? join(dir, basename(path)) : null;
      if (path === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      } else if (file && existsSync(file)) {
        const type = file.endsWith('.m3u8')
          ? 'application/vnd.apple.mpegurl'
          : file.endsWith('.ts')
            ? 'video/mp2t'
            : 'text/javascript';
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        createReadStream(file).pipe(res);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const b = new HlsBaseline(ffmpeg, server, dir, `http://127.0.0.1:${port}/`);
    // a playlist with three segments before the page opens (hls.js starts three targets behind the end)
    const deadline = Date.now() + 20_000;
    const segments = () => {
      try {
        return (readFileSync(join(dir, 'index.m3u8'), 'utf8').match(/\.ts$/gm) ?? []).length;
      } catch {
        return 0;
      }
    };
    while (segments() < 3) {
      if (ffmpeg.exitCode !== null || Date.now() > deadline) {
        await b.stop();
        throw new Error(`the HLS baseline did not produce segments: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return b;
  }

  async stop(): Promise<void> {
    if (this.ffmpeg.exitCode === null && this.ffmpeg.signalCode === null) {
      const gone = new Promise((r) => this.ffmpeg.once('exit', r));
      this.ffmpeg.kill('SIGTERM');
      const t = setTimeout(() => this.ffmpeg.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    }
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
