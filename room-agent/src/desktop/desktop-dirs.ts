import { chmod, chown, lchown, lstat, mkdir, open, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DesktopIdentity } from './desktop-user.js';

/**
 * Where the agent keeps what only it may touch (runDir, 0700): the X cookie, x11vnc's socket,
 * PulseAudio's script and state, the HOME of the processes it runs as itself.
 */
export function agentPaths(runDir: string) {
  return {
    runDir,
    /** the agent's Xauthority: Xvfb's -auth file and XAUTHORITY of every X client the agent runs */
    xauthority: join(runDir, 'xauthority'),
    /** x11vnc listens here and nowhere else; only the input gate connects */
    vncSocket: join(runDir, 'vnc.sock'),
    home: join(runDir, 'home'),
    xdgRuntimeDir: join(runDir, 'xdg'),
    pulseScript: join(runDir, 'pulse.pa'),
  };
}

/**
 * The desktop's dir (outside runDir). With a desktop user it is owned by the agent, group the desktop
 * user's, mode 01770: the desktop may enter it and create files (openbox's ready file), and the sticky
 * bit keeps it from renaming or removing what the agent put there (its cookie copy, the pulse dir).
 * Without one it is the agent's own 0700 dir.
 */
export function desktopPaths(desktopDir: string, keptHome: string | null = null) {
  const pulseDir = join(desktopDir, 'pulse');
  const home = keptHome ?? join(desktopDir, 'home');
  return {
    root: desktopDir,
    /** HOME and cwd of the desktop: owned by the desktop user, 0700 */
    home,
    /** the home is a persistent profile (BOXROOM_DESKTOP_HOME): kept, never emptied */
    homeKept: keptHome !== null,
    xdgRuntimeDir: join(desktopDir, 'xdg'),
    /** the desktop's own copy of the cookie (XAUTHORITY), owned by the desktop user, 0600 */
    xauthority: join(desktopDir, 'xauthority'),
    openboxConfig: join(desktopDir, 'openbox-rc.xml'),
    /** the desktop session's panel (tint2) configuration */
    panelConfig: join(desktopDir, 'tint2rc'),
    wmReadyFile: join(desktopDir, 'wm-ready'),
    /** PulseAudio's socket is the one thing of the agent's that the desktop may connect to */
    pulseDir,
    pulseSocket: join(pulseDir, 'native'),
    chromiumProfile: join(home, 'chromium'),
  };
}

export type DesktopPaths = ReturnType<typeof desktopPaths>;

/** uid/gid to hand the desktop's files to, or null when the desktop runs as the agent. */
function owner(identity: DesktopIdentity): { uid: number; gid: number } | null {
  return identity.isolation === 'desktop-user' ? identity.user : null;
}

/**
 * Creates the desktop's dir afresh (it must not exist: see DesktopReset.wipe for leftovers). The
 * agent writes everything before handing it over: in a container it has no CAP_DAC_OVERRIDE, so it
 * cannot enter the desktop's 0700 dirs once they belong to the desktop user.
 */
export async function createDesktopDir(p: DesktopPaths, identity: DesktopIdentity): Promise<void> {
  const who = owner(identity);
  await mkdir(p.root, { mode: 0o700 });
  if (p.homeKept) await prepareKeptHome(p.home, identity);
  for (const dir of p.homeKept ? [p.xdgRuntimeDir] : [p.home, p.xdgRuntimeDir]) {
    await mkdir(dir, { mode: 0o700 });
    if (who) await chown(dir, who.uid, who.gid);
  }
  // PulseAudio (run by the agent) creates its socket here; the desktop may enter, not write
  await mkdir(p.pulseDir, { mode: who ? 0o755 : 0o700 });
  if (who) {
    await chown(p.root, process.getuid?.() ?? 0, who.gid);
    await chmod(p.root, 0o1770);
  }
}

/**
 * A persistent profile's home (BOXROOM_DESKTOP_HOME), made by the dashboard (a dir, or a volume's
 * mount point) and used by earlier rooms: handed to this room's desktop user, 0700. A local room's
 * desktop user is new with each room (another uid), so what earlier rooms left is handed over too.
 * The desktop user cannot replace the home itself (its parent is not the desktop's), and nothing is
 * followed: lchown, no symlink traversal, and a file with other hard links is skipped (handOver).
 */
export async function prepareKeptHome(home: string, identity: DesktopIdentity): Promise<void> {
  const who = owner(identity);
  const st = await lstat(home).catch(() => null);
  if (st && !st.isDirectory()) throw new Error(`the profile home ${home} is not a directory`);
  if (!st) await mkdir(home, { mode: 0o700 });
  if (who && st && st.uid !== who.uid) await handOver(home, who);
  else if (who) await lchown(home, who.uid, who.gid);
  await chmod(home, 0o700);
}

/**
 * lchown of `dir` and everything under it, depth first; what cannot be read is somebody's already.
 * Each entry is lstat'ed before anything is done to it (a dir is entered only if it is one, never
 * through a symlink). A regular file with more than one hard link is left alone: an earlier desktop
 * user could have linked a file from elsewhere on the host into the profile (it shares the file
 * system), and chowning it as root would hand that file to this room's user.
 */
async function handOver(dir: string, who: { uid: number; gid: number }): Promise<void> {
  await lchown(dir, who.uid, who.gid);
  const names = await readdir(dir).catch(() => []);
  for (const name of names) {
    const path = join(dir, name);
    const st = await lstat(path).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) await handOver(path, who);
    else if (!(st.isFile() && st.nlink > 1)) await lchown(path, who.uid, who.gid);
  }
}

/**
 * Writes a new file at `path`, never through what is there: the desktop user may have put a symlink
 * in its place (it owns its cookie copy, and can race to create names in the dir), and following one
 * as root would overwrite, or chown, whatever it points at. So: unlink, then O_CREAT|O_EXCL (which
 * fails on any existing name, a dangling symlink included) and fchown on the open file.
 */
async function writeFresh(
  path: string,
  data: Buffer | string,
  mode: number,
  owner: { uid: number; gid: number } | null,
): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const fh = await open(path, 'wx', mode);
  try {
    await fh.writeFile(data);
    if (owner) await fh.chown(owner.uid, owner.gid);
  } finally {
    await fh.close();
  }
}

/**
 * Before every window manager start: the desktop's copy of the cookie (replaced: Xvfb may have a new
 * one), openbox's configuration, and no ready file from the previous run. Desktop processes may be
 * running meanwhile (a background job survives a wm restart): see writeFresh.
 */
export async function refreshDesktopFiles(
  p: DesktopPaths,
  identity: DesktopIdentity,
  files: { xauthority: Buffer; openboxConfig: string; panelConfig?: string },
): Promise<void> {
  const who = owner(identity);
  await rm(p.wmReadyFile, { force: true }); // removes a symlink itself, never its target
  await writeFresh(p.xauthority, files.xauthority, 0o600, who);
  await writeFresh(p.openboxConfig, files.openboxConfig, 0o644, null);
  if (files.panelConfig !== undefined) await writeFresh(p.panelConfig, files.panelConfig, 0o644, null);
}

/**
 * Recreates the home and runtime dirs after a reset's sweep emptied them. The desktop user owns these
 * names and may have swapped one for a symlink (to /etc, say) before the reset: anything that is not a
 * real directory is removed and made afresh, and ownership is set without following links.
 */
export async function recreateDesktopHome(p: DesktopPaths, identity: DesktopIdentity): Promise<void> {
  const who = owner(identity);
  for (const dir of p.homeKept ? [p.xdgRuntimeDir] : [p.home, p.xdgRuntimeDir]) {
    const st = await lstat(dir).catch(() => null);
    if (st && !st.isDirectory()) await unlink(dir);
    if (!st || !st.isDirectory()) await mkdir(dir, { mode: 0o700 });
    if (who) await lchown(dir, who.uid, who.gid);
  }
}
