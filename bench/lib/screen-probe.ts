import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../../test/support/dashboard-process.js';

/** Where the room's X server is: a local display, or a display inside a room container. */
/** `xauthority`: the room's X cookie file (the agent's `<run dir>/xauthority`; Xvfb runs with -auth) */
export type ScreenTarget =
  | { kind: 'local'; display: number; xauthority: string }
  | { kind: 'docker'; container: string; display: number; xauthority: string };

export interface Repaint {
  /** Date.now() just before the requests were written */
  sentAt: number;
  /** Date.now() when the X server had handled them: the pixels are in the framebuffer (T0) */
  doneAt: number;
}

const CLIENT = join(REPO, 'bench', 'lib', 'x11-probe-client.mjs');

/**
 * The bench's hand on the room's screen: a small window of one colour (see x11-probe-client.mjs) that
 * it repaints on demand and learns exactly when the X server did it. Same machine, same wall clock as
 * the browser; with the docker driver the client runs inside the room container (`docker exec`).
 */
export class ScreenProbe {
  private readonly waiting: Array<(r: Repaint) => void> = [];
  private err = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^ok (\d+) (\d+)$/.exec(line);
      if (m) this.waiting.shift()?.({ sentAt: Number(m[1]), doneAt: Number(m[2]) });
    });
    child.stderr!.on('data', (d: Buffer) => (this.err = (this.err + d).slice(-2000)));
  }

  static start(target: ScreenTarget): ScreenProbe {
    const stdio: ['pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe'];
    const child =
      target.kind === 'local'
        ? spawn(process.execPath, [CLIENT], {
            env: { ...process.env, DISPLAY: `:${target.display}`, XAUTHORITY: target.xauthority },
            stdio,
          })
        : spawn(
            'docker',
            [
              ...['exec', '-i', '-e', `DISPLAY=:${target.display}`, '-e', `XAUTHORITY=${target.xauthority}`],
              target.container,
              ...['node', '--input-type=module', '-e', readFileSync(CLIENT, 'utf8')],
            ],
            { stdio },
          );
    return new ScreenProbe(child);
  }

  /** Maps the window at (x, y), w x h screen pixels, in `rgb`. */
  show(x: number, y: number, w: number, h: number, rgb: number): Promise<Repaint> {
    return this.ask(`show ${x} ${y} ${w} ${h} ${hex(rgb)}`);
  }

  /** Raises the window and repaints it in `rgb`. */
  fill(rgb: number): Promise<Repaint> {
    return this.ask(`fill ${hex(rgb)}`);
  }

  async close(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.stdin!.end('quit\n');
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }

  private ask(line: string): Promise<Repaint> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null) return reject(new Error(`x11 probe exited: ${this.err}`));
      const timer = setTimeout(() => reject(new Error(`x11 probe did not answer: ${this.err}`)), 10_000);
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.stdin!.write(line + '\n');
    });
  }
}

const hex = (rgb: number) => rgb.toString(16).padStart(6, '0');
