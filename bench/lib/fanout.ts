import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';

export interface ReaderReport {
  open: number;
  closed: number;
  bytes: number;
  closeCodes: Record<string, number>;
  /** the same by code and reason (`4503 room unavailable`) */
  closeReasons: Record<string, number>;
  /** readers that have seen an H.264 keyframe */
  keyframes: number;
  /** open readers that got data in the last 3 s */
  live: number;
}

/** N plain WS-FLV readers in a child process (bench/lib/flv-readers.mjs), bounded in time. */
export class FlvReaders {
  last: ReaderReport = {
    open: 0,
    closed: 0,
    bytes: 0,
    closeCodes: {},
    closeReasons: {},
    keyframes: 0,
    live: 0,
  };

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ReaderReport) => (this.last = m));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Resolves once every reader is open (or after `openMs`). `connecting`: handshakes in flight at most
   * (default all at once); `nice`: the readers' process runs at this CPU priority (default 0; 19 is
   * the lowest: it gets what the system under test leaves).
   */
  static async start(
    urls: string[],
    maxMs: number,
    opts: { openMs?: number; connecting?: number; nice?: number } = {},
  ): Promise<FlvReaders> {
    const child = fork(join(REPO, 'bench', 'lib', 'flv-readers.mjs'), [], { stdio: 'ignore' });
    const r = new FlvReaders(child);
    child.send({ urls, maxMs, connecting: opts.connecting, nice: opts.nice });
    await r.until((x) => x.open + x.closed >= urls.length, opts.openMs ?? 15_000);
    return r;
  }

  /** Waits until the latest report satisfies `pred` or `ms` passed; whether it did. */
  async until(pred: (r: ReaderReport) => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!pred(this.last) && Date.now() < deadline) await sleep(200);
    return pred(this.last);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.send({ stop: true });
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}
