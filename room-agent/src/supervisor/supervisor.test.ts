import { mkdtemp, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessHealth } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorConfigError } from './dependency-graph.js';
import { defineProcess, type ProcessSpec } from './process-spec.js';
import { Supervisor, SupervisorStartError } from './supervisor.js';
import { captureLogger, diesWithin, nextEvent, socketServerArgs } from './test-support.js';

describe('Supervisor', () => {
  let dir: string;
  const sups: Supervisor[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-sup-'));
  });
  afterEach(async () => {
    await Promise.all(sups.splice(0).map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  /** A process that listens on its own socket after `delayMs`, ready when it accepts. */
  function sockProc(name: string, dependsOn: string[] = [], delayMs = 50): ProcessSpec {
    const path = join(dir, `${name}.sock`);
    return defineProcess({
      name,
      command: process.execPath,
      args: socketServerArgs(path, { delayMs }),
      dependsOn,
      readiness: { kind: 'unix-socket', path },
      restart: { initialDelayMs: 20 },
    });
  }
  function make(specs: ProcessSpec[], startTimeoutMs?: number) {
    const { log } = captureLogger();
    const sup = new Supervisor(specs, { log, ...(startTimeoutMs ? { startTimeoutMs } : {}) });
    const events: string[] = [];
    sup.on('status', (h) => events.push(`${h.name}:${h.status}`));
    sups.push(sup);
    return { sup, events };
  }

  it('starts each process only after its dependencies are ready', async () => {
    const { sup, events } = make([
      sockProc('x', [], 120),
      sockProc('pulse'),
      sockProc('wm', ['x']),
      sockProc('vnc', ['x']),
      sockProc('enc', ['x', 'pulse']),
    ]);
    await sup.start();
    const at = (e: string) => events.indexOf(e);
    expect(sup.health().map((h) => h.status)).toEqual(['ready', 'ready', 'ready', 'ready', 'ready']);
    for (const dependent of ['wm', 'vnc', 'enc'])
      expect(at(`${dependent}:starting`)).toBeGreaterThan(at('x:ready'));
    expect(at('enc:starting')).toBeGreaterThan(at('pulse:ready'));
    expect(at('pulse:starting')).toBeLessThan(at('x:ready')); // independent processes start together
  });

  it('spawned() resolves once the process runs, before it is ready, and at its cap when it never starts', async () => {
    // a prepare that takes 150 ms: right after start() nothing runs yet
    const x = { ...sockProc('x', [], 300), prepare: () => sleep(150) };
    const { sup, events } = make([x, sockProc('wm', ['x'])]);
    const started = sup.start();
    expect(sup.pidOf('x')).toBeNull();
    const t = Date.now();
    await sup.spawned('x', 5_000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(100);
    expect(Date.now() - t).toBeLessThan(2_000);
    expect(sup.pidOf('x')).not.toBeNull();
    expect(events).not.toContain('x:ready'); // it listens only 300 ms after its spawn
    const t0 = Date.now();
    await sup.spawned('wm', 50); // waits for x's readiness: the cap ends the wait first
    expect(Date.now() - t0).toBeLessThan(250);
    expect(sup.pidOf('wm')).toBeNull();
    await started;
    await sup.spawned('wm', 5_000); // running already: at once
    expect(sup.pidOf('wm')).not.toBeNull();
  });

  it('restarts the dependents (transitively) when a dependency dies, and not the others', async () => {
    const { sup } = make([
      sockProc('x'),
      sockProc('pulse'),
      sockProc('wm', ['x']),
      sockProc('app', ['wm']),
      sockProc('enc', ['x', 'pulse']),
    ]);
    await sup.start();
    const before = Object.fromEntries(sup.health().map((h) => [h.name, h.pid]));
    const backoff = nextEvent<[ProcessHealth]>(
      sup,
      'status',
      (h) => h.name === 'x' && h.status === 'backoff',
    );
    process.kill(before.x!, 'SIGKILL');
    await backoff;
    await nextEvent(sup, 'status', () => sup.allReady());
    const after = Object.fromEntries(sup.health().map((h) => [h.name, h.pid]));
    for (const name of ['x', 'wm', 'app', 'enc']) expect(after[name], name).not.toBe(before[name]);
    expect(after.pulse).toBe(before.pulse);
    for (const name of ['wm', 'app', 'enc']) expect(await diesWithin(before[name]!), name).toBe(true);
    const recent = sup.recentEvents();
    expect(recent.find((e) => e.process === 'wm' && e.status === 'stopping')?.detail).toBe(
      'dependency x went down',
    );
  });

  it('stops in reverse dependency order and leaves nothing running', async () => {
    const { sup, events } = make([sockProc('x'), sockProc('wm', ['x']), sockProc('app', ['wm'])]);
    await sup.start();
    const pids = sup.health().map((h) => h.pid!);
    events.length = 0;
    await sup.stop();
    expect(events).toEqual([
      'app:stopping',
      'app:stopped',
      'wm:stopping',
      'wm:stopped',
      'x:stopping',
      'x:stopped',
    ]);
    for (const pid of pids) expect(await diesWithin(pid, 0)).toBe(true);
    expect(sup.health().every((h) => h.status === 'stopped' && h.pid === null)).toBe(true);
  });

  it('rejects start() on a readiness timeout but keeps restarting', async () => {
    const mute = defineProcess({
      name: 'mute',
      command: 'sleep',
      args: ['60'],
      readiness: { kind: 'tcp', host: '127.0.0.1', port: 1 },
      readyTimeoutMs: 100,
      restart: { initialDelayMs: 20 },
      stopTimeoutMs: 200,
    });
    const { sup } = make([sockProc('x'), mute]);
    await expect(sup.start()).rejects.toThrow(
      new SupervisorStartError('mute not ready within 100 ms (tcp 127.0.0.1:1)'),
    );
    // still supervised after the rejection: killed, backed off, started again
    await nextEvent<[ProcessHealth]>(sup, 'status', (h) => h.name === 'mute' && h.status === 'backoff');
    await nextEvent<[ProcessHealth]>(sup, 'status', (h) => h.name === 'mute' && h.status === 'starting');
  });

  it('rejects start() after startTimeoutMs when a process keeps crashing', async () => {
    const crash = defineProcess({
      name: 'crash',
      command: process.execPath,
      args: ['-e', 'process.exit(1)'],
      readiness: { kind: 'unix-socket', path: join(dir, 'never') },
      restart: { initialDelayMs: 20 },
    });
    const { sup } = make([crash], 300);
    await expect(sup.start()).rejects.toThrow(/not ready within 300 ms \(crash: (backoff|starting)\)/);
  });

  it('restart() stops and starts the named processes at once, without backoff, the others untouched', async () => {
    const { sup, events } = make([sockProc('x'), sockProc('wm', ['x']), sockProc('app', ['x', 'wm'])]);
    await sup.start();
    const pids = () => Object.fromEntries(sup.health().map((h) => [h.name, h.pid]));
    const before = pids();
    events.length = 0;
    let betweenRan = false;
    const t0 = Date.now();
    await sup.restart(['app', 'wm'], 'test reset', async () => {
      betweenRan = true;
    });
    await nextEvent(sup, 'status', () => sup.allReady(), 5_000);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(betweenRan).toBe(true);
    const after = pids();
    expect(after.x).toBe(before.x);
    expect(after.wm).not.toBe(before.wm);
    expect(after.app).not.toBe(before.app);
    expect(events).not.toContain('wm:backoff');
    expect(events).not.toContain('app:backoff');
    expect(events.filter((e) => e.startsWith('x:'))).toEqual([]);
    // a failing `between` is reported, and the processes still come back
    await expect(
      sup.restart(['app'], 'again', () => Promise.reject(new Error('sweep failed'))),
    ).rejects.toThrow('sweep failed');
    await nextEvent(sup, 'status', () => sup.allReady(), 5_000);
  });

  it('keeps a bounded history of status changes', async () => {
    const { log } = captureLogger();
    const sup = new Supervisor([sockProc('x')], { log, historySize: 3 });
    sups.push(sup);
    await sup.start();
    await sup.stop();
    expect(sup.recentEvents().map((e) => e.status)).toEqual(['ready', 'stopping', 'stopped']);
  });

  it('refuses invalid dependency graphs', () => {
    const { log } = captureLogger();
    expect(() => new Supervisor([sockProc('a', ['b']), sockProc('b', ['a'])], { log })).toThrow(
      new SupervisorConfigError('dependency cycle: a -> b -> a'),
    );
    expect(() => new Supervisor([sockProc('a', ['nope'])], { log })).toThrow(/unknown process "nope"/);
    expect(() => new Supervisor([sockProc('a'), sockProc('a')], { log })).toThrow(
      /duplicate process name "a"/,
    );
  });
});
