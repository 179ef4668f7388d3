import { execFileSync } from 'node:child_process';

/** Whether local rooms' desktops run as a user of their own (the agent's /healthz says the same). */
export type Isolation = 'desktop-user' | 'none';

export interface LocalIsolation {
  isolation: Isolation;
  /** why not, in words for the operator; null when isolated */
  reason: string | null;
}

/** The uid of a user name (through NSS, as the agent will resolve it), or null when there is none. */
export function userUid(name: string): number | null {
  try {
    const out = execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const uid = Number(out.toString().trim());
    return Number.isInteger(uid) ? uid : null;
  } catch {
    return null;
  }
}

/** Is useradd there (the local driver makes a desktop user per room with it)? */
export function canCreateUsers(): boolean {
  try {
    execFileSync('useradd', ['--help'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Can the local driver separate rooms from the dashboard? Only when it runs as root (the agent then
 * drops the desktop to a user of its own): one made per room (see desktop-users.ts), or else
 * `desktopUser` (scripts/setup.sh creates it), which rooms then share. The agent decides for itself
 * by the same rules; this is the dashboard's warning ahead of any room.
 */
export function localIsolation(
  desktopUser: string,
  uid: number | undefined = process.getuid?.(),
  lookup: (name: string) => number | null = userUid,
  perRoomUsers: () => boolean = canCreateUsers,
): LocalIsolation {
  if (uid !== 0) {
    return {
      isolation: 'none',
      reason: `the dashboard runs as uid ${uid ?? 'unknown'}, not root, so it cannot run desktops as ${desktopUser}`,
    };
  }
  if (perRoomUsers()) return { isolation: 'desktop-user', reason: null };
  const desktopUid = lookup(desktopUser);
  if (desktopUid === null) {
    return {
      isolation: 'none',
      reason: `the desktop user ${desktopUser} does not exist (run scripts/setup.sh as root to create it)`,
    };
  }
  if (desktopUid === 0) return { isolation: 'none', reason: `the desktop user ${desktopUser} is root` };
  return { isolation: 'desktop-user', reason: null };
}

export interface ListenChoice {
  host: string;
  /** true when the dashboard narrowed its address to loopback for safety */
  narrowed: boolean;
}

/**
 * Where to listen. With local rooms that are not separated from the dashboard, everyone who can
 * reach a room's desktop can read the dashboard's keys: the dashboard then stays on 127.0.0.1
 * unless the operator set BOXROOM_HOST on purpose.
 */
export function listenHost(
  config: { host: string; hostSetByOperator: boolean },
  driverKind: string,
  iso: LocalIsolation | null,
): ListenChoice {
  const unsafe = driverKind === 'local' && iso?.isolation === 'none';
  if (unsafe && !config.hostSetByOperator) return { host: '127.0.0.1', narrowed: true };
  return { host: config.host, narrowed: false };
}
