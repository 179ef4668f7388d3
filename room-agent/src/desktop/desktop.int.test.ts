import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { findFreeDisplay } from '../supervisor/x-lock.js';
import { roomPaths, roomProcessSpecs } from './room-processes.js';

const run = promisify(execFile);
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves when `check()` holds, re-checking on every status event (no polling loop). */
function until(sup: Supervisor, check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      if (!check()) return;
      clearTimeout(timer);
      sup.off('status', done);
      resolve();
    };
    const timer = setTimeout(() => {
      sup.off('status', done);
      reject(
        new Error(
          `timed out waiting for ${what}: ${JSON.stringify(sup.health().map((h) => [h.name, h.status, h.pid]))}`,
        ),
      );
    }, timeoutMs);
    sup.on('status', done);
    done();
  });
}

describe('the room desktop under supervision (real Xvfb, PulseAudio, openbox, xterm, x11vnc)', () => {
  let sup: Supervisor;
  let config: AgentConfig;
  let runDir: string;
  const seenPids = new Set<number>();

  beforeAll(async () => {
    const display = await findFreeDisplay(150, 199);
    if (display === null) throw new Error('no free X display in 150..199');
    runDir = await mkdtemp(join(tmpdir(), 'boxroom-desktop-'));
    config = Object.freeze({
      roomId: 'int',
      host: '127.0.0.1',
      port: 0,
      display,
      width: 1280,
      height: 720,
      fps: 30,
      app: 'terminal',
      appCommand: null,
      appEnv: {},
      startUrl: null,
      browserMode: 'normal',
      capture: 'x11grab', // ffmpeg is left out here
      captureBin: 'unused',
      captureFellBack: false,
      clipboardBin: null, // no clipboard process here: test/e2e/clipboard.int.test.ts has it
      clipboard: { copyOut: true, pasteIn: true },
      screenBin: null,
      maxWidth: 1280,
      maxHeight: 720,
      mediaHttpPort: 0,
      runDir,
      desktopDir: join(runDir, 'desktop'),
      desktopUser: 'boxroom-desktop',
      dashboardSilenceMs: 0,
      publicKeyPem: 'unused',
      viewerMaxBacklogBytes: 1 << 20,
      controlIdleMs: 0,
      soundIdleMs: 5000,
      controlGraceMs: 0,
      roomMaxAgeMs: 0,
      roomNoViewersMs: 0,
      roomNoInputMs: 0,
      roomCreatedAt: 0,
      desktopGiveUpMs: 0,
      controlQueueMax: 100,
      filesDir: join(runDir, 'files'),
      fileMaxBytes: 1 << 20,
      filesQuotaBytes: 1 << 22,
      logLevel: 'silent',
    } satisfies AgentConfig);
    const specs = roomProcessSpecs(config, {
      publishStdout: (flv) => flv.destroy(),
      ffmpegReady: async () => {},
      include: (name) => name !== 'ffmpeg',
    });
    sup = new Supervisor(specs, { log, startTimeoutMs: 20_000 });
    sup.on('status', (h) => h.pid && seenPids.add(h.pid));
  });

  afterAll(async () => {
    try {
      await sup?.stop();
    } finally {
      if (runDir) await rm(runDir, { recursive: true, force: true });
    }
  });

  const pids = (): Record<string, number | null> =>
    Object.fromEntries(sup.health().map((h) => [h.name, h.pid]));
  const xEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    DISPLAY: `:${config.display}`,
    XAUTHORITY: roomPaths(config).agent.xauthority,
  });

  it('starts everything in dependency order and reaches ready', async () => {
    const t0 = Date.now();
    await sup.start();
    log.info({ ms: Date.now() - t0 }, 'desktop ready');
    expect(sup.health().map((h) => [h.name, h.status])).toEqual([
      ['xvfb', 'ready'],
      ['pulse', 'ready'],
      ['wm', 'ready'],
      ['app', 'ready'],
      ['x11vnc', 'ready'],
    ]);
    for (const pid of Object.values(pids())) seenPids.add(pid!);
    const { stdout } = await run('xdpyinfo', [], { env: xEnv() });
    expect(stdout).toContain('dimensions:    1280x720 pixels');
    expect(existsSync(roomPaths(config).desktop.pulseSocket)).toBe(true);
  });

  it('shows the terminal maximized and undecorated', async () => {
    // the app is ready as soon as it is spawned; its window maps a moment later
    let geometry = '';
    for (let i = 0; i < 100 && !geometry.includes('1280x720'); i++) {
      const found = await run(
        'xdotool',
        ['search', '--sync', '--onlyvisible', '--class', 'xterm', 'getwindowgeometry'],
        {
          env: xEnv(),
          timeout: 5_000,
        },
      ).catch(() => ({ stdout: '' }));
      geometry = found.stdout;
    }
    expect(geometry).toContain('Geometry: 1280x720');
  });

  it('recovers from Xvfb being killed, restarting its dependents', async () => {
    const before = pids();
    const restartsBefore = Object.fromEntries(sup.health().map((h) => [h.name, h.restarts]));
    process.kill(before.xvfb!, 'SIGKILL');
    await until(
      sup,
      () => sup.health().find((h) => h.name === 'xvfb')!.restarts > restartsBefore.xvfb!,
      5_000,
      'xvfb restart',
    );
    await until(sup, () => sup.allReady(), 15_000, 'recovery');
    const after = pids();
    for (const pid of Object.values(after)) seenPids.add(pid!);
    for (const name of ['xvfb', 'wm', 'app', 'x11vnc']) expect(after[name], name).not.toBe(before[name]);
    expect(after.pulse).toBe(before.pulse); // not a dependent of X
    const recent = sup.recentEvents().map((e) => `${e.process}:${e.status}`);
    expect(recent).toContain('xvfb:backoff');
    const { stdout } = await run('xdpyinfo', [], { env: xEnv() });
    expect(stdout).toContain('1280x720');
  });

  it('stop() leaves no child process and no X lock', async () => {
    const t0 = Date.now();
    await sup.stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(sup.health().every((h) => h.status === 'stopped' && h.pid === null)).toBe(true);
    for (const pid of seenPids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(existsSync(`/tmp/.X${config.display}-lock`)).toBe(false);
  });
});
