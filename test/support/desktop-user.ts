import { spawnSync } from 'node:child_process';

/**
 * Runs a shell command in a local room as its desktop user (`bxd-<room>`, made by a dashboard run as
 * root), as a program in the room would; as the test's own user where there is no such user.
 */
export function asDesktopUser(roomId: string, script: string): void {
  const user = `bxd-${roomId}`;
  const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
  const isRoot = process.getuid?.() === 0;
  const who = isRoot && spawnSync('id', [user]).status === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  const r = spawnSync('/bin/sh', ['-c', script], { ...who, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`as the desktop user: ${r.stderr}`);
}
