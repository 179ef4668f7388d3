import { chmod, lchown, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { profileKey } from '../../profiles/profile-key.js';
import type { ProfileRef, ProfileStorage } from '../../rooms/room-driver.js';

/**
 * Profiles of local rooms: one directory each, `<root>/<hash of owner and name>`, used as the
 * desktop's HOME (BOXROOM_DESKTOP_HOME). The root is outside the data dir (0700, closed to desktop
 * users) and 0711: a desktop user passes through it to its own profile and lists nothing. While a
 * room runs, its agent hands the profile to the room's desktop user; once the room is gone it is
 * the dashboard's again (0700): a later room's user that gets the same uid cannot enter it.
 */
export class ProfileDirs implements ProfileStorage {
  readonly root: string;

  constructor(root: string) {
    // absolute: DesktopUsers excludes it from its sweeps by path
    this.root = resolve(root);
  }

  homeOf(ref: ProfileRef): string {
    return join(this.root, profileKey(ref));
  }

  /** Before the room's agent starts: the root, and the profile's dir (0700, new or as left). */
  async prepare(ref: ProfileRef): Promise<string> {
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    await chmod(this.root, 0o711);
    const home = this.homeOf(ref);
    await mkdir(home, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    return home;
  }

  /** After the room's processes are gone: the dashboard's own, 0700 (its files keep their owner). */
  async close(ref: ProfileRef): Promise<void> {
    const home = this.homeOf(ref);
    const st = await lstat(home).catch(() => null);
    if (!st?.isDirectory()) return;
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    if (uid !== undefined && gid !== undefined && (st.uid !== uid || st.gid !== gid))
      await lchown(home, uid, gid);
    await chmod(home, 0o700);
  }

  /** What it takes on disk, as du counts it (allocated blocks, links not followed). */
  async measure(ref: ProfileRef): Promise<number | null> {
    const home = this.homeOf(ref);
    return (await lstat(home).catch(() => null)) ? diskUsage(home) : 0;
  }

  async remove(ref: ProfileRef): Promise<void> {
    await rm(this.homeOf(ref), { recursive: true, force: true });
  }
}

async function diskUsage(path: string): Promise<number> {
  const st = await lstat(path);
  let bytes = st.blocks * 512;
  if (st.isDirectory()) {
    for (const name of await readdir(path)) bytes += await diskUsage(join(path, name));
  }
  return bytes;
}
