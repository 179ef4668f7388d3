import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DesktopUsers, processesOfUid, roomUserName } from './desktop-users.js';
import { userUid } from './isolation.js';

const log = pino({ level: 'silent' });
const isRoot = process.getuid?.() === 0;

describe('DesktopUsers', () => {
  const made: string[] = [];
  afterEach(async () => {
    // whatever a failed test left: its users go
    for (const id of made.splice(0)) await new DesktopUsers('boxroom-desktop', log, isRoot).release(id);
  });

  it('not root: every room gets the shared user, nothing is created', async () => {
    const users = new DesktopUsers('boxroom-desktop', log, false);
    const id = `t${randomBytes(5).toString('hex').slice(0, 9)}`;
    expect(await users.acquire(id)).toBe('boxroom-desktop');
    expect(userUid(roomUserName(id))).toBeNull();
  });

  it('root: a system user per room, idempotent, its processes ended and the user removed on release', async () => {
    const users = new DesktopUsers('boxroom-desktop', log, isRoot);
    const a = `t${randomBytes(5).toString('hex').slice(0, 9)}`;
    const b = `t${randomBytes(5).toString('hex').slice(0, 9)}`;
    made.push(a, b);
    const ua = await users.acquire(a);
    const ub = await users.acquire(b);
    if (!isRoot) {
      // the same answer as above, and nothing to check of system users
      expect([ua, ub]).toEqual(['boxroom-desktop', 'boxroom-desktop']);
      return;
    }
    expect([ua, ub]).toEqual([roomUserName(a), roomUserName(b)]);
    expect(await users.acquire(a)).toBe(ua);
    const uidA = userUid(ua)!;
    const uidB = userUid(ub)!;
    expect(uidA).toBeGreaterThan(0);
    expect(uidB).not.toBe(uidA);
    // a stray job of each room
    const job = (uid: number) => spawn('sleep', ['60'], { uid, gid: uid, stdio: 'ignore', detached: true });
    const ja = job(uidA);
    const jb = job(uidB);
    await new Promise((r) => setTimeout(r, 200));
    expect(await processesOfUid(uidA)).toContain(ja.pid);
    await users.release(a);
    await new Promise((r) => setTimeout(r, 200));
    expect(ja.exitCode !== null || ja.signalCode !== null).toBe(true);
    expect(userUid(ua)).toBeNull();
    // room B's job and user are untouched
    expect(jb.exitCode).toBeNull();
    expect(userUid(ub)).toBe(uidB);
    await users.release(b);
    await new Promise((r) => setTimeout(r, 200));
    expect(jb.signalCode).toBe('SIGKILL');
    // useradd/userdel take seconds on a loaded machine (about 10 s at load 10)
  }, 60_000);

  it("removes the user's files from /tmp, except in kept dirs (profiles may lie under /tmp)", async () => {
    if (!isRoot) throw new Error('this test needs root: it makes a system user');
    const base = mkdtempSync(join(tmpdir(), 'boxroom-users-test-'));
    const kept = join(base, 'kept [profiles]*');
    const users = new DesktopUsers('boxroom-desktop', log, true, [kept]);
    const id = `t${randomBytes(5).toString('hex').slice(0, 9)}`;
    made.push(id);
    const uid = userUid(await users.acquire(id))!;
    try {
      mkdirSync(join(kept, 'p'), { recursive: true });
      const files = [join(base, 'stray'), join(kept, 'p', 'notes.txt'), join(kept, 'p')];
      writeFileSync(files[0]!, 'x');
      writeFileSync(files[1]!, 'y');
      for (const f of files) chownSync(f, uid, uid);
      await users.release(id);
      expect(existsSync(files[0]!)).toBe(false);
      expect(existsSync(files[1]!)).toBe(true);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
