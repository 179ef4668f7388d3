import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findProcesses, killAll } from './proc-scan.js';
import { promisify } from 'node:util';
import type { Logger } from '../../logger.js';
import { userUid } from './isolation.js';

const run = promisify(execFile);

/** Prefix of the per-room desktop users (room ids are 10 characters: 14 in all, under useradd's 32). */
export const ROOM_USER_PREFIX = 'bxd-';

const USERADD_ARGS = (roomId: string, name: string) => [
  '--system',
  '--user-group',
  '--no-create-home',
  '--home-dir',
  '/nonexistent',
  '--shell',
  '/usr/sbin/nologin',
  '--comment',
  `boxroom room ${roomId}`,
  name,
];

/**
 * Shared writable places where a desktop leaves files of its uid. The next room's user may get the same
 * uid (useradd reuses free ones), and would own whatever is left there: so they go with the user.
 */
const SHARED_TMP_DIRS = ['/tmp', '/var/tmp', '/dev/shm'];

export function roomUserName(roomId: string): string {
  return `${ROOM_USER_PREFIX}${roomId}`;
}

/** pids whose real uid is `uid` (from /proc/<pid>/status); Linux only, elsewhere none. */
export async function processesOfUid(uid: number): Promise<number[]> {
  return findProcesses('status', (status) => Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1) === uid);
}

/**
 * One desktop user per local room. All local rooms run on one host: with one shared desktop user,
 * room A's programs could read room B's X cookie and home and type into B's desktop, and a desktop
 * reset in A (which ends every process of the desktop uid) would end B's desktop too. So a dashboard
 * run as root makes a system user per room (`bxd-<room>`: no home, no login shell, its own group) when
 * the room is created and removes it with the room. Where it cannot (not root, useradd missing or
 * failing) every room gets `fallback` (BOXROOM_DESKTOP_USER), and the log says rooms then share it.
 */
export class DesktopUsers {
  constructor(
    private readonly fallback: string,
    private readonly log: Logger,
    private readonly isRoot: boolean = process.getuid?.() === 0,
    /** dirs whose files stay whoever owns them: persistent profiles (they may lie under /tmp) */
    private readonly keep: readonly string[] = [],
  ) {}

  /** The user the room's desktop is to run as; created when missing. */
  async acquire(roomId: string): Promise<string> {
    if (!this.isRoot) return this.fallback;
    const name = roomUserName(roomId);
    if (userUid(name) !== null) return name;
    let lastErr: unknown;
    // useradd locks /etc/passwd: a concurrent one (another room, another program) makes it fail for a moment.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await run('useradd', USERADD_ARGS(roomId, name), { timeout: 10_000 });
        this.log.info({ room: roomId, user: name }, 'created the room desktop user');
        return name;
      } catch (err) {
        lastErr = err;
        if (userUid(name) !== null) return name;
        await new Promise((r) => setTimeout(r, 100 + 200 * attempt));
      }
    }
    this.log.warn(
      { room: roomId, err: (lastErr as Error).message, user: this.fallback },
      `could not create a desktop user for the room: it shares ${this.fallback} with other rooms, which can then reach its desktop`,
    );
    return this.fallback;
  }

  /** SIGKILL whatever still runs as the room's own user (a crashed agent's desktop, a stray job); @returns their names. */
  async stopProcesses(roomId: string): Promise<string[]> {
    const uid = this.ownUid(roomId);
    if (uid === null) return [];
    return killAll(await processesOfUid(uid));
  }

  /** After the room's agent is gone: end the user's processes and remove the user (and its group). */
  async release(roomId: string): Promise<void> {
    if (this.ownUid(roomId) === null) return;
    const name = roomUserName(roomId);
    const killed = await this.stopProcesses(roomId);
    if (killed.length > 0)
      this.log.warn({ room: roomId, user: name, killed }, 'killed processes of the room user');
    await this.removeFiles(roomId);
    // userdel refuses while a process of the user lives: give SIGKILL a moment to land.
    for (let attempt = 0; ; attempt++) {
      try {
        await run('userdel', [name], { timeout: 10_000 });
        this.log.info({ room: roomId, user: name }, 'removed the room desktop user');
        return;
      } catch (err) {
        if (attempt >= 4) {
          this.log.error(
            { room: roomId, user: name, err: (err as Error).message },
            'could not remove the room user',
          );
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
        await this.stopProcesses(roomId);
      }
    }
  }

  /** Removes what the room's user left in the shared temporary dirs (find never follows symlinks). */
  private async removeFiles(roomId: string): Promise<void> {
    const uid = this.ownUid(roomId);
    if (uid === null) return;
    const dirs = SHARED_TMP_DIRS.filter((d) => existsSync(d));
    try {
      // -prune does nothing under -delete (which implies -depth): kept dirs are excluded by path
      const kept = this.keep.flatMap((k) => [
        '!',
        '-path',
        globEscape(k),
        '!',
        '-path',
        `${globEscape(k)}/*`,
      ]);
      await run('find', [...dirs, '-xdev', '-uid', String(uid), ...kept, '-delete'], { timeout: 30_000 });
    } catch (err) {
      // find exits 1 when a dir vanished under it: what it could remove is removed
      this.log.warn(
        { room: roomId, err: (err as Error).message },
        'could not remove every file of the room user',
      );
    }
  }

  /** The uid of the room's own user, never the shared fallback's. */
  private ownUid(roomId: string): number | null {
    if (!this.isRoot) return null;
    const uid = userUid(roomUserName(roomId));
    return uid === null || uid === 0 ? null : uid;
  }
}

/** A path as a find -path pattern that matches only itself. */
function globEscape(path: string): string {
  return path.replace(/[[\]*?\\]/g, '\\$&');
}
