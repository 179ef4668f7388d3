import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The uid and gid the desktop's processes run as, with the name they know themselves by. */
export interface DesktopUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Who the desktop runs as. `desktop-user`: openbox, the app and everything a controller starts run
 * as `user`, and the agent (root) keeps its files, its memory and its secrets out of their reach.
 * `none`: everything runs as the agent's own uid; `why` says what is missing.
 */
export type DesktopIdentity =
  | { readonly isolation: 'desktop-user'; readonly user: DesktopUser }
  | { readonly isolation: 'none'; readonly why: string };

/** The entry of `name` in a passwd(5) text, or null. */
export function findPasswdUser(passwd: string, name: string): DesktopUser | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || f[0] !== name) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
    return { name, uid, gid };
  }
  return null;
}

function readPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Separation needs an agent that may switch uids (root: in a container with CAP_SETUID/SETGID, or
 * the dashboard run as root) and a desktop user that exists and is not root itself.
 */
export function resolveDesktopIdentity(
  userName: string,
  agentUid: number | undefined = process.getuid?.(),
  passwd: string = readPasswd(),
): DesktopIdentity {
  if (agentUid !== 0)
    return {
      isolation: 'none',
      why: `the agent runs as uid ${agentUid ?? '?'}, not root, so it cannot switch users`,
    };
  const user = findPasswdUser(passwd, userName);
  if (!user)
    return { isolation: 'none', why: `user "${userName}" does not exist (scripts/setup.sh creates it)` };
  if (user.uid === 0 || user.gid === 0)
    return { isolation: 'none', why: `user "${userName}" is root or in group root: no separation possible` };
  return { isolation: 'desktop-user', user };
}

/**
 * Whether `user` may create a user namespace, which Chromium's sandbox needs (Debian's Chromium has no
 * setuid sandbox helper): tried once, as that user, with `unshare --user true`. Refused by Docker's
 * default seccomp profile, by kernel.unprivileged_userns_clone=0 and by AppArmor's userns restriction;
 * then a browser app runs with --no-sandbox, the desktop uid being its boundary.
 */
export function desktopCanSandbox(user: DesktopUser): boolean {
  const r = spawnSync('unshare', ['--user', 'true'], {
    uid: user.uid,
    gid: user.gid,
    cwd: '/',
    env: { PATH: '/usr/bin:/bin' },
    stdio: 'ignore',
    timeout: 3_000,
  });
  return r.status === 0;
}
