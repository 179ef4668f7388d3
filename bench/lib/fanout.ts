import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../../test/support/dashboard-process.js';
import { sleep } from '../../test/support/processes.js';

export interface ReaderReport {
  open: number;
  closed: number;
  bytes: number;
  closeCodes: Record<string, number>;
}

/** N plain WS-FLV readers in a child process (bench/lib/flv-readers.mjs), bounded in time. */
export class FlvReaders {
  last: ReaderReport = { open: 0, closed: 0, bytes: 0, closeCodes: {} };

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: ReaderReport) => (this.last = m));
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(urls: string[], maxMs: number): Promise<FlvReaders> {
    const child = fork(join(REPO, 'bench', 'lib', 'flv-readers.mjs'), [], { stdio: 'ignore' });
    const r = new FlvReaders(child);
    child.send({ urls, maxMs });
    const deadline = Date.now() + 15_000;
    while (r.last.open < urls.length && Date.now() < deadline) await sleep(200);
    return r;
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
