import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadinessTimeoutError, waitForReadiness, waitForTcpPort, waitForUnixSocket } from './readiness.js';

describe('readiness', () => {
  let dir: string;
  const servers: Server[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-ready-'));
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('waits for a unix socket that starts listening later', async () => {
    const path = join(dir, 's');
    const t0 = Date.now();
    setTimeout(() => servers.push(createServer().listen(path)), 120);
    await waitForUnixSocket(path, new AbortController().signal);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(115);
    expect(ms).toBeLessThan(250); // retries every 25 ms, not seconds
  });

  it('waits for a file the process creates once it is up', async () => {
    const path = join(dir, 'ready');
    const t0 = Date.now();
    setTimeout(() => void writeFile(path, ''), 80);
    await waitForReadiness({ kind: 'file', path }, new AbortController().signal, 2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
    await expect(
      waitForReadiness({ kind: 'file', path: join(dir, 'never') }, new AbortController().signal, 100),
    ).rejects.toThrow(/file .*never/);
  });

  it('waits for a TCP port', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as { port: number };
    srv.close();
    setTimeout(() => servers.push(createServer().listen(port, '127.0.0.1')), 80);
    await waitForTcpPort('127.0.0.1', port, new AbortController().signal);
  });

  it('gives up when aborted (the process exited)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('process exited')), 60);
    await expect(waitForUnixSocket(join(dir, 'never'), ac.signal)).rejects.toThrow('process exited');
  });

  it('turns a timeout into a ReadinessTimeoutError naming the check', async () => {
    const p = waitForReadiness(
      { kind: 'unix-socket', path: join(dir, 'never') },
      new AbortController().signal,
      100,
    );
    await expect(p).rejects.toBeInstanceOf(ReadinessTimeoutError);
    await expect(p).rejects.toThrow(/not ready within 100 ms \(unix socket .*never\)/);
  });

  it('bounds a probe that ignores its signal', async () => {
    const probe = (): Promise<void> => new Promise(() => {});
    await expect(
      waitForReadiness({ kind: 'probe', probe }, new AbortController().signal, 80),
    ).rejects.toThrow(/not ready within 80 ms \(probe\)/);
  });

  it('resolves at once for kind none, and when a probe resolves', async () => {
    await waitForReadiness({ kind: 'none' }, new AbortController().signal, 10);
    await waitForReadiness({ kind: 'probe', probe: async () => {} }, new AbortController().signal, 100);
  });
});
