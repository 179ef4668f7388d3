import { spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearStaleXLock, DisplayInUseError, findFreeDisplay, isDisplayFree } from './x-lock.js';

/** How X servers write the lock: the pid right-aligned in 10 columns and a newline. */
const lockText = (pid: number): string => `${String(pid).padStart(10)}\n`;

describe('X lock cleanup', () => {
  let dir: string;
  let paths: { lockDir: string; socketDir: string };
  const servers: Server[] = [];
  const children: number[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-xlock-'));
    paths = { lockDir: dir, socketDir: join(dir, '.X11-unix') };
    await mkdir(paths.socketDir);
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    for (const pid of children.splice(0)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const lock = (n: number): string => join(dir, `.X${n}-lock`);
  const sock = (n: number): string => join(paths.socketDir, `X${n}`);
  /** A pid that certainly belonged to a process that has exited. */
  const deadPid = (): number => spawnSync('true').pid!;
  /** A live process whose name starts with X, as an X server's does. */
  async function fakeXServer(): Promise<number> {
    const bin = join(dir, 'Xfake');
    await copyFile('/bin/sleep', bin);
    const child = spawn(bin, ['60'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    children.push(child.pid!);
    return child.pid!;
  }

  it('does nothing when there is no lock', async () => {
    expect(await clearStaleXLock(150, paths)).toBe(false);
    expect(await isDisplayFree(150, paths)).toBe(true);
  });

  it('removes a lock whose pid is dead, and the socket with it', async () => {
    await writeFile(lock(151), lockText(deadPid()));
    await writeFile(sock(151), '');
    expect(await isDisplayFree(151, paths)).toBe(true);
    expect(await clearStaleXLock(151, paths)).toBe(true);
    expect(existsSync(lock(151))).toBe(false);
    expect(existsSync(sock(151))).toBe(false);
  });

  it('treats a lock held by a live non-X process (a reused pid) as stale', async () => {
    await writeFile(lock(152), lockText(process.pid));
    expect(await clearStaleXLock(152, paths)).toBe(true);
  });

  it('treats an unreadable lock as stale', async () => {
    await writeFile(lock(153), 'garbage');
    expect(await clearStaleXLock(153, paths)).toBe(true);
  });

  it('refuses a display held by a live X server', async () => {
    const pid = await fakeXServer();
    await writeFile(lock(154), lockText(pid));
    await expect(clearStaleXLock(154, paths)).rejects.toThrow(new DisplayInUseError(154, pid));
    await expect(clearStaleXLock(154, paths)).rejects.toThrow(
      `display :154 is in use by a running X server (pid ${pid}); choose another display`,
    );
    expect(await readFile(lock(154), 'utf8')).toBe(lockText(pid));
    expect(await isDisplayFree(154, paths)).toBe(false);
  });

  it('counts a display whose socket answers as in use, even without a lock', async () => {
    const srv = createServer().listen(sock(155));
    servers.push(srv);
    await new Promise((r) => srv.once('listening', r));
    expect(await isDisplayFree(155, paths)).toBe(false);
    await expect(clearStaleXLock(155, paths)).rejects.toBeInstanceOf(DisplayInUseError);
  });

  it('finds the first free display', async () => {
    const pid = await fakeXServer();
    await writeFile(lock(160), lockText(pid));
    await writeFile(lock(161), lockText(deadPid()));
    expect(await findFreeDisplay(160, 170, paths)).toBe(161);
    await writeFile(lock(161), lockText(pid));
    expect(await findFreeDisplay(160, 161, paths)).toBeNull();
  });
});
