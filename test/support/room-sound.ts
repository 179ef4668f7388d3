import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The PCM every sound source here writes: what the room's null sink runs at, mono. */
export const SOUND_RATE = 48_000;

/**
 * PULSE_SERVER for a local room's PulseAudio, as the room's own desktop has it: the daemon's socket in
 * the desktop's dir, which the agent was given as BOXROOM_DESKTOP_DIR (read from its environment, so
 * the test does not repeat the driver's naming).
 */
export function localPulseServer(agentPid: number): string {
  const env = readFileSync(`/proc/${agentPid}/environ`, 'utf8').split('\0');
  const dir = env.find((e) => e.startsWith('BOXROOM_DESKTOP_DIR='))?.slice('BOXROOM_DESKTOP_DIR='.length);
  if (!dir) throw new Error(`the agent ${agentPid} has no BOXROOM_DESKTOP_DIR`);
  return `unix:${join(dir, 'pulse', 'native')}`;
}

/** `seconds` of a sine at `hz` (s16le mono, amplitude 0.5), faded in and out over 5 ms. */
export function sinePcm(hz: number, seconds: number): Buffer {
  const n = Math.round(seconds * SOUND_RATE);
  const fade = SOUND_RATE / 200;
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - 1 - i) / fade);
    b.writeInt16LE(Math.round(16_383 * env * Math.sin((2 * Math.PI * hz * i) / SOUND_RATE)), i * 2);
  }
  return b;
}

/**
 * Plays `pcm` into the room's default sink (the null sink the capture records) with `pacat`, as a
 * program on the room's desktop would; resolves when pacat has played it all.
 */
export function playPcm(pulseServer: string, pcm: Buffer): Promise<void> {
  const child = spawn(
    'pacat',
    ['--playback', '--raw', `--rate=${SOUND_RATE}`, '--channels=1', '--format=s16le', '--latency-msec=20'],
    { env: { ...process.env, PULSE_SERVER: pulseServer }, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  return finished(child, pcm);
}

function finished(child: ChildProcess, input: Buffer): Promise<void> {
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
  child.stdin!.on('error', () => {});
  child.stdin!.end(input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pacat exited with ${code}: ${err.trim()}`)),
    );
  });
}
