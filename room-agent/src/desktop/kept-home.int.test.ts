import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { pino } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDesktopDir, desktopPaths, prepareKeptHome } from './desktop-dirs.js';
import { DesktopReset } from './desktop-reset.js';
import type { DesktopIdentity } from './desktop-user.js';

/**
 * A persistent profile's home handed to the next room's desktop user (another uid on the local
 * driver): every file of it, no link followed, 0700. Needs root (it chowns to other uids).
 */
const NEXT: DesktopIdentity = { isolation: 'desktop-user', user: { name: 'next', uid: 54321, gid: 54322 } };

describe('a kept (profile) home', () => {
  let dir: string;
  beforeEach(() => {
    if (process.getuid?.() !== 0) throw new Error('this suite needs root: it hands files to other uids');
    dir = mkdtempSync(join(tmpdir(), 'boxroom-kept-home-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('goes to the new desktop user whole, 0700, without following a link out of it', async () => {
    const home = join(dir, 'profile');
    mkdirSync(join(home, 'chromium', 'Default'), { recursive: true, mode: 0o755 });
    writeFileSync(join(home, 'chromium', 'Default', 'Preferences'), '{}');
    const outside = join(dir, 'outside');
    writeFileSync(outside, 'not the profile');
    symlinkSync(outside, join(home, 'link'));

    await prepareKeptHome(home, NEXT);

    for (const path of [home, join(home, 'chromium'), join(home, 'chromium', 'Default', 'Preferences')]) {
      expect(lstatSync(path)).toMatchObject({ uid: 54321, gid: 54322 });
    }
    expect(lstatSync(join(home, 'link')).uid).toBe(54321);
    expect(statSync(outside).uid).toBe(0);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('leaves a file with another hard link alone: it may be a file from outside the profile', async () => {
    const home = join(dir, 'profile');
    mkdirSync(join(home, 'sub'), { recursive: true });
    const outside = join(dir, 'shadow');
    writeFileSync(outside, 'a host file');
    linkSync(outside, join(home, 'sub', 'looks-like-mine'));
    writeFileSync(join(home, 'sub', 'mine'), 'x');
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(join(elsewhere, 'deep'), { recursive: true });
    writeFileSync(join(elsewhere, 'deep', 'file'), 'x');
    symlinkSync(elsewhere, join(home, 'dirlink'));

    await prepareKeptHome(home, NEXT);

    expect(lstatSync(join(home, 'sub', 'mine')).uid).toBe(54321);
    expect(lstatSync(join(home, 'sub')).uid).toBe(54321);
    expect(statSync(outside).uid).toBe(0);
    // a symlink to a dir: the link is handed over, never entered
    expect(lstatSync(join(home, 'dirlink')).uid).toBe(54321);
    for (const p of [elsewhere, join(elsewhere, 'deep'), join(elsewhere, 'deep', 'file')])
      expect(statSync(p).uid).toBe(0);
  });

  it('is made when missing, and refused when it is not a directory', async () => {
    const home = join(dir, 'fresh');
    await prepareKeptHome(home, NEXT);
    expect(statSync(home)).toMatchObject({ uid: 54321, gid: 54322 });
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const file = join(dir, 'file');
    writeFileSync(file, '');
    await expect(prepareKeptHome(file, NEXT)).rejects.toThrow(/not a directory/);
  });

  it("is used instead of the desktop dir's own home, and the browser profile lives in it", async () => {
    const home = join(dir, 'profile');
    mkdirSync(home);
    const p = desktopPaths(join(dir, 'desktop'), home);
    expect(p).toMatchObject({ home, homeKept: true, chromiumProfile: join(home, 'chromium') });
    await createDesktopDir(p, NEXT);
    expect(statSync(home)).toMatchObject({ uid: 54321 });
    expect(() => lstatSync(join(dir, 'desktop', 'home'))).toThrow();
    expect(statSync(p.xdgRuntimeDir).uid).toBe(54321);
  });

  it("survives a desktop reset, which still empties the desktop's runtime dir", async () => {
    chmodSync(dir, 0o755); // the sweep runs as the desktop user: it must reach the dirs
    const home = join(dir, 'profile');
    mkdirSync(home);
    const p = desktopPaths(join(dir, 'desktop'), home);
    await createDesktopDir(p, NEXT);
    // what the desktop user wrote in either
    for (const f of [join(home, 'bookmarks'), join(p.xdgRuntimeDir, 'leftover')]) {
      writeFileSync(f, 'x', { mode: 0o600 });
      chownSync(f, 54321, 54322);
    }
    const reset = new DesktopReset({
      identity: NEXT,
      paths: p,
      supervisor: { restart: (_names, _why, between) => between?.() ?? Promise.resolve() },
      log: pino({ level: 'silent' }),
    });
    await reset.reset('owner');
    expect(existsSync(join(home, 'bookmarks'))).toBe(true);
    expect(existsSync(join(p.xdgRuntimeDir, 'leftover'))).toBe(false);
  });
});
