import { spawn, type ChildProcess } from 'node:child_process';
import { SOUND_RATE } from '../../test/support/room-sound.js';

/** A sample this loud (of full scale) after QUIET_MS of quiet starts a sound. */
const ONSET_LEVEL = 0.2;
const QUIET_MS = 200;

/**
 * Listens to what the room's sink plays (its monitor, the source the capture records) with `parec` at
 * a 5 ms fragment, and tells when each sound started, on the wall clock: the instant a sound exists
 * for the room's capture, whatever delay the program that played it had. The onset is placed by its
 * position in the fragment that carried it (the fragment's last sample is "now").
 */
export class RoomMonitor {
  private readonly child: ChildProcess;
  private samples = 0;
  private lastLoud = -Infinity;
  private readonly onsets: number[] = [];
  private waiter: ((at: number) => void) | null = null;
  /** an odd byte a chunk ended with (pipes do not keep to sample boundaries) */
  private carry: Buffer = Buffer.alloc(0);
  private err = '';

  constructor(pulseServer: string, source = 'room.monitor') {
    this.child = spawn(
      'parec',
      ['--raw', `--rate=${SOUND_RATE}`, '--channels=1', '--format=s16le', '--latency-msec=5', '-d', source],
      { env: { ...process.env, PULSE_SERVER: pulseServer }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stderr!.on('data', (d: Buffer) => (this.err = (this.err + d).slice(-2000)));
    this.child.stdout!.on('data', (d: Buffer) => this.scan(d, Date.now()));
  }

  /** The wall-clock time (ms) of the next sound to start, or null after `timeoutMs`. */
  nextOnset(timeoutMs: number): Promise<number | null> {
    if (this.child.exitCode !== null) throw new Error(`parec exited: ${this.err.trim()}`);
    const ready = this.onsets.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (at) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(at);
      };
    });
  }

  close(): void {
    this.child.kill('SIGTERM');
  }

  private scan(chunk: Buffer, now: number): void {
    const d = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const n = Math.floor(d.length / 2);
    this.carry = d.subarray(n * 2);
    const level = ONSET_LEVEL * 32_768;
    const quiet = (QUIET_MS / 1000) * SOUND_RATE;
    for (let i = 0; i < n; i++) {
      if (Math.abs(d.readInt16LE(i * 2)) < level) continue;
      const s = this.samples + i;
      if (s - this.lastLoud > quiet) {
        const at = now - ((n - i) / SOUND_RATE) * 1000;
        if (this.waiter) this.waiter(at);
        else this.onsets.push(at);
      }
      this.lastLoud = s;
    }
    this.samples += n;
  }
}
