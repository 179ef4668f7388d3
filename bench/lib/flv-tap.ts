import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { FlvReader, isAvcFrame } from '../../test/support/flv-reader.js';

export interface TappedFrame {
  /** Date.now() when the tag's last byte reached this reader */
  arrivedAt: number;
  /** the tag's FLV timestamp, ms */
  flvTs: number;
  rgb: [number, number, number];
}

/**
 * A plain WS-FLV viewer in Node, through the dashboard like the browser's, that also decodes the probe
 * rectangle of every frame (ffmpeg, in order: frame k is the k-th AVC tag) so the bench learns when the
 * frame showing a change reached a client: the split between the room and the dashboard on one side
 * and the browser on the other. Decoding happens after the arrival is stamped and costs no latency.
 */
export class FlvTap {
  readonly frames: TappedFrame[] = [];
  private readonly arrivals: Array<{ arrivedAt: number; flvTs: number }> = [];
  private readonly ws: WebSocket;
  private readonly ffmpeg: ChildProcess;
  private pixels = Buffer.alloc(0);
  /** min over frames of (arrival - FLV timestamp): the capture clock's offset plus the fastest path */
  minOffset = Infinity;
  /** FLV bytes received */
  bytes = 0;
  /** the server's close code, once it closed the stream */
  closedWith: number | null = null;

  constructor(url: string, region: { x: number; y: number; w: number; h: number }) {
    this.ffmpeg = spawn(
      'ffmpeg',
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
        // one decoder thread: frame threading would hold frames back; no probing delay
        ...['-threads', '1', '-probesize', '32768', '-analyzeduration', '0', '-f', 'flv', '-i', 'pipe:0'],
        ...[
          '-map',
          '0:v',
          '-vf',
          `crop=${region.w}:${region.h}:${region.x}:${region.y},scale=1:1:flags=area`,
        ],
        // every frame, in order, written at once (3 bytes a frame would otherwise sit in a 32 KiB buffer)
        ...[
          '-fps_mode',
          'passthrough',
          '-flush_packets',
          '1',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgb24',
          'pipe:1',
        ],
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    this.ffmpeg.stdin!.on('error', () => {});
    this.ffmpeg.stdout!.on('data', (d: Buffer) => {
      this.pixels = Buffer.concat([this.pixels, d]);
      while (this.pixels.length >= 3) {
        const a = this.arrivals.shift();
        if (a) this.frames.push({ ...a, rgb: [this.pixels[0]!, this.pixels[1]!, this.pixels[2]!] });
        this.pixels = this.pixels.subarray(3);
      }
      if (this.frames.length > 3000) this.frames.splice(0, 1000);
    });
    const reader = new FlvReader({ keepTags: false });
    reader.on('tag', (t) => {
      if (!isAvcFrame(t)) return;
      const arrivedAt = Date.now();
      this.arrivals.push({ arrivedAt, flvTs: t.timestamp });
      this.minOffset = Math.min(this.minOffset, arrivedAt - t.timestamp);
    });
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (d: Buffer) => {
      this.bytes += d.length;
      reader.push(d);
      this.ffmpeg.stdin!.write(d);
    });
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => (this.closedWith = code));
  }

  /**
   * The first frame that arrived at or after `since` with the target colour and for which `also`
   * holds (waits for decoding).
   */
  async find(
    since: number,
    rgb: [number, number, number],
    timeoutMs = 3000,
    also: (f: TappedFrame) => boolean = () => true,
  ): Promise<TappedFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(
        (x) => x.arrivedAt >= since && x.rgb.every((v, c) => Math.abs(v - rgb[c]!) < 60) && also(x),
      );
      if (f) return f;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.ws.terminate();
    this.ffmpeg.stdin!.end();
    this.ffmpeg.kill('SIGKILL');
  }
}
