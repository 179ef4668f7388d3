import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '@boxroom/contracts';
import { DashboardProcess } from '../support/dashboard-process.js';
import { asDesktopUser } from '../support/desktop-user.js';
import { sleep } from '../support/processes.js';

/**
 * Persistent profiles on real local rooms (a real dashboard, agents, Chromium, a desktop user per
 * room): what one room's desktop wrote in its home is in the next room with the profile, whose
 * Chromium runs on the browser profile the first one made; a second room at once is refused and
 * leaves nothing running; DELETE removes the home.
 */

let dash: DashboardProcess;
const uidOf = (user: string) => Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());

async function until<T>(what: string, probe: () => T | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`${what} not seen in ${timeoutMs} ms:\n${dash.output().slice(-3000)}`);
    await sleep(200);
  }
}

/** The pid Chromium's SingletonLock names (`<host>-<pid>`): the browser running on this profile. */
function lockPid(chromiumDir: string): number | null {
  try {
    const pid = Number(/-(\d+)$/.exec(readlinkSync(join(chromiumDir, 'SingletonLock')))?.[1]);
    return existsSync(`/proc/${pid}`) ? pid : null;
  } catch {
    return null;
  }
}

const procUid = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('persistent profiles of local rooms', () => {
  beforeAll(async () => {
    if (process.getuid?.() !== 0)
      throw new Error('this suite needs root: each room gets a desktop user of its own');
    dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
  }, 60_000);
  afterAll(async () => {
    await dash?.teardown();
  }, 60_000);

  it('keeps a file and the browser profile for the next room, one room at a time, until DELETE', async () => {
    const body = { app: 'browser', profile: 'work', width: 640, height: 360, fps: 10 };
    const first = await dash.createReadyRoom(body, 90_000);
    const root = `${dash.dataDir}-profiles`;
    const [key] = readdirSync(root);
    const home = join(root, key!);
    const chromium = join(home, 'chromium');
    // the room's desktop has the profile as its home, its own and closed to others
    expect(statSync(home)).toMatchObject({ uid: uidOf(`bxd-${first.id}`) });
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(root).mode & 0o777).toBe(0o711);
    // Chromium made its profile there, as the room's desktop user; a program of the room writes a file
    const firstPid = await until('the first Chromium on the profile', () => lockPid(chromium));
    expect(procUid(firstPid)).toBe(uidOf(`bxd-${first.id}`));
    await until('Preferences written', () => existsSync(join(chromium, 'Default', 'Preferences')) || null);
    asDesktopUser(first.id, `printf 'kept across rooms' > '${home}/notes.txt'`);

    // a second room with the profile while the first has it: refused, nothing left running
    const rooms = async () =>
      (await dash.api<{ rooms: Array<{ id: string }> }>('GET', '/api/rooms')).body.rooms;
    const refused = await dash.api<{ error: { code: string } }>('POST', '/api/rooms', body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('profile_in_use');
    expect((await rooms()).map((r) => r.id)).toEqual([first.id]);
    // nor can it be deleted while mounted
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(409);

    const listed = await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles');
    expect(listed.body.profiles).toEqual([
      expect.objectContaining({ name: 'work', owner: 'operator', inUseBy: first.id }),
    ]);

    // the room ends: its processes are gone before the profile is free, and it is the dashboard's again
    expect((await dash.api('DELETE', `/api/rooms/${first.id}`)).status).toBe(204);
    expect(existsSync(`/proc/${firstPid}`)).toBe(false);
    expect(statSync(home)).toMatchObject({ uid: 0 });
    const freed = (await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles[0]!;
    expect(freed).toMatchObject({ inUseBy: null });
    expect(freed.bytes).toBeGreaterThan(100_000); // a Chromium profile and the file, du-like

    // the next room with it: the file is there for its (other) desktop user, and its Chromium runs on
    // the browser profile the first one made
    const second = await dash.createReadyRoom(body, 90_000);
    expect(statSync(home).uid).toBe(uidOf(`bxd-${second.id}`));
    expect(uidOf(`bxd-${second.id}`)).not.toBe(uidOf(`bxd-${first.id}`));
    asDesktopUser(second.id, `grep -qx 'kept across rooms' '${home}/notes.txt'`);
    const secondPid = await until('the second Chromium on the profile', () => {
      const pid = lockPid(chromium);
      return pid !== null && pid !== firstPid ? pid : null;
    });
    expect(procUid(secondPid)).toBe(uidOf(`bxd-${second.id}`));
    expect(JSON.parse(readFileSync(join(chromium, 'Default', 'Preferences'), 'utf8'))).toHaveProperty(
      'profile',
    );

    // DELETE: only once no room has it, and then the home is gone
    expect((await dash.api('DELETE', `/api/rooms/${second.id}`)).status).toBe(204);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(204);
    expect(existsSync(home)).toBe(false);
    expect((await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles).toEqual([]);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(404);
  }, 240_000);
});
