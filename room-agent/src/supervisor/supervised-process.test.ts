import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessHealth } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineProcess, type ProcessSpecInput } from './process-spec.js';
import { SupervisedProcess } from './supervised-process.js';
import { captureLogger, diesWithin, isAlive, nextEvent, socketServerArgs } from './test-support.js';

describe('SupervisedProcess', () => {
  let dir: string;
  const procs: SupervisedProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-proc-'));
  });
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  function make(input: ProcessSpecInput, canStart?: () => boolean) {
    const { log, records } = captureLogger();
    const proc = new SupervisedProcess(defineProcess(input), { log, ...(canStart ? { canStart } : {}) });
    const statuses: string[] = [];
    const details: Array<string | undefined> = [];
    proc.on('status', (h, d) => {
      statuses.push(h.status);
      details.push(d);
    });
    procs.push(proc);
    return { proc, records, statuses, details };
  }
  const becomes = (proc: SupervisedProcess, status: string, timeoutMs?: number) =>
    nextEvent<[ProcessHealth]>(proc, 'status', (h) => h.status === status, timeoutMs);

  it('goes stopped -> starting -> ready once its socket accepts, and stops cleanly', async () => {
    const path = join(dir, 'ready.sock');
    const { proc, statuses } = make({
      name: 'sock',
      command: process.execPath,
      args: socketServerArgs(path, { delayMs: 150 }),
      readiness: { kind: 'unix-socket', path },
    });
    const ready = becomes(proc, 'ready');
    expect(proc.start()).toBe(true);
    expect(proc.status).toBe('starting');
    await ready;
    const pid = proc.pid!;
    expect(isAlive(pid)).toBe(true);
    await proc.stop();
    expect(statuses).toEqual(['starting', 'ready', 'stopping', 'stopped']);
    expect(isAlive(pid)).toBe(false);
    expect(proc.health()).toMatchObject({
      name: 'sock',
      status: 'stopped',
      pid: null,
      restarts: 0,
      lastExit: { signal: 'SIGTERM' },
    });
  });

  it('restarts with doubling backoff on quick failures, up to the cap', async () => {
    const { proc, details } = make({
      name: 'crash',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      restart: { initialDelayMs: 20, maxDelayMs: 80, resetAfterMs: 10_000 },
    });
    proc.start();
    for (let i = 0; i < 5; i++) await becomes(proc, 'backoff');
    const delays = details
      .filter((d) => d?.includes('restart in'))
      .map((d) => Number(/restart in (\d+) ms/.exec(d!)![1]));
    expect(delays).toEqual([20, 40, 80, 80, 80]);
    expect(details.find((d) => d?.includes('restart in'))).toBe('exited with code 3; restart in 20 ms');
    expect(proc.health().restarts).toBeGreaterThanOrEqual(4);
    expect(proc.health().lastExit).toMatchObject({ code: 3, signal: null });
  });

  it('resets the backoff after a run that lasted resetAfterMs', async () => {
    const { proc, details } = make({
      name: 'flaky',
      command: process.execPath,
      args: ['-e', 'setTimeout(() => process.exit(1), 120)'],
      restart: { initialDelayMs: 20, maxDelayMs: 1_000, resetAfterMs: 100 },
    });
    proc.start();
    for (let i = 0; i < 3; i++) await becomes(proc, 'backoff');
    expect(details.filter((d) => d?.includes('restart in 20 ms')).length).toBe(3);
  });

  it('logs the last output lines at warn when it dies unexpectedly', async () => {
    const { proc, records } = make({
      name: 'noisy',
      command: process.execPath,
      args: ['-e', 'for (let i = 0; i < 30; i++) console.error("line " + i); process.exit(2)'],
      restart: { initialDelayMs: 5_000 },
    });
    proc.start();
    await becomes(proc, 'backoff');
    await new Promise((r) => setTimeout(r, 100));
    const warn = records.find((r) => r.msg === 'exited unexpectedly');
    expect(warn).toBeDefined();
    expect(warn!.output).toHaveLength(20);
    expect((warn!.output as string[]).at(-1)).toBe('line 29');
    expect(records.some((r) => r.level === 20 && r.msg === 'line 0' && r.stream === 'stderr')).toBe(true);
  });

  it('hands stdout to takeStdout at every spawn, as bytes and unlogged; stderr is still logged', async () => {
    const runs: Buffer[][] = [];
    const { proc, records } = make({
      name: 'binary',
      command: process.execPath,
      args: [
        '-e',
        'process.stdout.write(Buffer.from([0x46, 0x4c, 0x56, 0, 0xff, 10])); console.error("err")',
      ],
      restart: { initialDelayMs: 10 },
      takeStdout: (stdout) => {
        const chunks: Buffer[] = [];
        runs.push(chunks);
        stdout.on('data', (c: Buffer) => chunks.push(c));
      },
    });
    proc.start();
    await becomes(proc, 'backoff');
    await becomes(proc, 'backoff');
    await proc.stop();
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const chunks of runs.slice(0, 2))
      expect(Buffer.concat(chunks)).toEqual(Buffer.from([0x46, 0x4c, 0x56, 0, 0xff, 10]));
    expect(records.some((r) => r.stream === 'stdout')).toBe(false);
    expect(records.some((r) => r.msg === 'err' && r.stream === 'stderr')).toBe(true);
  });

  it('with outputFd3, hands a pipe that is the child`s fd 3 to takeStdout beside stdout', async () => {
    const got: string[] = [];
    const { proc } = make({
      name: 'two-outputs',
      command: 'sh',
      args: ['-c', 'printf picture; printf sound >&3; exit 1'],
      restart: { initialDelayMs: 10 },
      outputFd3: true,
      takeStdout: (stdout, fd3) => {
        stdout.on('data', (c: Buffer) => got.push(`1:${String(c)}`));
        fd3?.on('data', (c: Buffer) => got.push(`3:${String(c)}`));
      },
    });
    proc.start();
    await becomes(proc, 'backoff');
    await proc.stop();
    expect(got.sort()).toEqual(['1:picture', '3:sound']);
  });

  it('hands a stdin pipe to takeStdin at every spawn; what is written there reaches the process', async () => {
    const echoed: string[] = [];
    const { proc } = make({
      name: 'echo',
      command: process.execPath,
      args: ['-e', 'process.stdin.once("data", (d) => { process.stdout.write(d); process.exit(1); })'],
      restart: { initialDelayMs: 10 },
      takeStdin: (stdin) => stdin.end(`run ${echoed.length + 1}`),
      takeStdout: (stdout) => stdout.on('data', (c: Buffer) => echoed.push(String(c))),
    });
    proc.start();
    await becomes(proc, 'backoff');
    await becomes(proc, 'backoff');
    await proc.stop();
    expect(echoed.slice(0, 2)).toEqual(['run 1', 'run 2']);
  });

  it('escalates to SIGKILL when the stop signal is ignored', async () => {
    const path = join(dir, 'stubborn.sock');
    const { proc, records } = make({
      name: 'stubborn',
      command: process.execPath,
      args: socketServerArgs(path, { ignoreTerm: true }),
      readiness: { kind: 'unix-socket', path },
      stopTimeoutMs: 300,
    });
    proc.start();
    await becomes(proc, 'ready');
    const pid = proc.pid!;
    const t0 = Date.now();
    await proc.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(proc.health().lastExit?.signal).toBe('SIGKILL');
    expect(isAlive(pid)).toBe(false);
    expect(records.some((r) => r.msg === 'did not stop in time; sending SIGKILL')).toBe(true);
  });

  it('stops the whole process group, children included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const { proc } = make({
      name: 'group',
      command: 'sh',
      args: ['-c', `sleep 60 & echo $! > ${pidFile}; wait`],
    });
    proc.start();
    await becomes(proc, 'ready');
    let grandchild = 0;
    while (!grandchild) grandchild = Number(await readFile(pidFile, 'utf8').catch(() => '')) || 0;
    expect(isAlive(grandchild)).toBe(true);
    await proc.stop();
    expect(await diesWithin(grandchild)).toBe(true);
  });

  it('kills and restarts a process that is not ready in time', async () => {
    const { proc, details } = make({
      name: 'mute',
      command: 'sleep',
      args: ['60'],
      readiness: { kind: 'unix-socket', path: join(dir, 'never') },
      readyTimeoutMs: 100,
      restart: { initialDelayMs: 5_000 },
    });
    const failed = nextEvent<[Error]>(proc, 'readyFailed', () => true);
    proc.start();
    const [err] = await failed;
    expect(err.message).toMatch(/not ready within 100 ms/);
    await becomes(proc, 'backoff');
    expect(details.at(-1)).toMatch(/^not ready within 100 ms .*; restart in 5000 ms$/);
  });

  it('goes to failed when the command does not exist', async () => {
    const { proc, details } = make({ name: 'ghost', command: join(dir, 'no-such-program') });
    proc.start();
    await becomes(proc, 'failed');
    expect(details.at(-1)).toMatch(/could not spawn: spawn .* ENOENT/);
  });

  it('backs off when prepare fails, then retries it', async () => {
    let calls = 0;
    const { proc } = make({
      name: 'prep',
      command: 'sleep',
      args: ['60'],
      restart: { initialDelayMs: 20 },
      prepare: async () => {
        if (++calls === 1) throw new Error('disk full');
      },
    });
    proc.start();
    await becomes(proc, 'backoff');
    await becomes(proc, 'ready');
    expect(calls).toBe(2);
  });

  it('waits instead of restarting when canStart says a dependency is down', async () => {
    const { proc } = make(
      {
        name: 'dep',
        command: process.execPath,
        args: ['-e', 'process.exit(1)'],
        restart: { initialDelayMs: 10 },
      },
      () => false,
    );
    proc.start();
    await becomes(proc, 'waiting');
    expect(proc.status).toBe('waiting');
  });

  it('refuses and logs illegal transitions', async () => {
    const { proc, records } = make({ name: 'once', command: 'sleep', args: ['60'] });
    expect(proc.start()).toBe(true);
    await becomes(proc, 'ready');
    expect(proc.start()).toBe(false);
    expect(proc.markWaiting()).toBe(false);
    expect(proc.status).toBe('ready');
    const refused = records.filter((r) => r.msg === 'illegal state transition refused');
    expect(refused.map((r) => [r.from, r.to])).toEqual([
      ['ready', 'starting'],
      ['ready', 'waiting'],
    ]);
  });

  it('stop() while in backoff cancels the restart', async () => {
    const { proc } = make({
      name: 'nap',
      command: process.execPath,
      args: ['-e', 'process.exit(1)'],
      restart: { initialDelayMs: 50 },
    });
    proc.start();
    await becomes(proc, 'backoff');
    await proc.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(proc.status).toBe('stopped');
    expect(proc.health().restarts).toBe(0);
  });
});
