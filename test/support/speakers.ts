import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, sleep } from './processes.js';

/** A sound server for a browser under test: what a person's desktop has, and headless Firefox needs. */
export interface Speakers {
  /** for the browser's PULSE_SERVER */
  server: string;
  stop(): Promise<void>;
}

/**
 * A private PulseAudio daemon with one null sink, reached through a socket in a temporary directory.
 * Headless Firefox opens its audio output through PulseAudio: without a server its AudioContext never
 * starts (it stays `suspended`, and `resume()` never settles), user gesture or not. Chromium headless
 * has an output of its own and needs none.
 */
export async function startSpeakers(): Promise<Speakers> {
  const dir = mkdtempSync(join(tmpdir(), 'boxroom-speakers-'));
  const socket = join(dir, 'native');
  const script = join(dir, 'speakers.pa');
  writeFileSync(
    script,
    [
      `load-module module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      'load-module module-null-sink sink_name=speakers',
      'set-default-sink speakers',
    ].join('\n') + '\n',
  );
  const group = new ProcessGroup();
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const child = group.spawn(
    'pulseaudio',
    [
      ...['-n', '-F', script, '--exit-idle-time=-1', '--daemonize=no', '--use-pid-file=no'],
      ...['--realtime=no', '--high-priority=no', '--log-target=stderr'],
    ],
    { env },
  );
  const stop = async () => {
    await group.killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  for (let deadline = Date.now() + 10_000; !existsSync(socket); await sleep(50)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = group.stderr.get(child) ?? '';
      await stop();
      throw new Error(`the speakers' PulseAudio did not start: ${why.slice(-500)}`);
    }
  }
  return { server: `unix:${socket}`, stop };
}
