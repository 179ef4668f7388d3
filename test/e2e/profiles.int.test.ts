import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '@boxroom/contracts';
import { DashboardProcess } from '../support/dashboard-process.js';
import { asDesktopUser } from '../support/desktop-user.js';
import { sleep } from '../support/processes.js';
import { framesUntilColour } from '../support/room-frames.js';

/**
 * Persistent profiles on real local rooms (a real dashboard, agents, Chromium, a desktop user per
 * room): what one room's desktop wrote in its home is in the next room with the profile, whose
 * Chromium runs on the browser profile the first one made and finds the cookie and the local storage
 * a page set in the first (read off the room's video); a room without the profile does not; a second
 * room at once is refused and leaves nothing running; DELETE removes the home. The pages are served
 * on 127.0.0.1, which only local rooms reach (a docker room's egress policy refuses it).
 */

let dash: DashboardProcess;
let site: Server;
/** the test's site: /write sets the browser settings, /read shows whether they are there */
let siteUrl: string;

/** What the pages paint over the whole page (the room's video shows it in its middle). */
const WROTE: [number, number, number] = [0, 0, 255];
const BOTH_KEPT: [number, number, number] = [0, 192, 0];
const NONE_KEPT: [number, number, number] = [255, 0, 0];
const COOKIE = 'boxroomKeptCookie';
const STORAGE_KEY = 'boxroomKeptSetting';

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
/** A page whose script picks `colour`, which then paints the whole page. */
const page = (script: string) => `<!doctype html><html><body style="margin:0;height:100vh"><script>
${script}
document.body.style.background = colour;
</script></body></html>`;
const PAGES: Record<string, string> = {
  // a cookie with an expiry (a session cookie would not outlive the browser) and local storage
  '/write': page(`
    document.cookie = '${COOKIE}=yes; max-age=31536000; path=/; samesite=lax';
    localStorage.setItem('${STORAGE_KEY}', 'yes');
    const wrote = document.cookie.includes('${COOKIE}=yes') && localStorage.getItem('${STORAGE_KEY}') === 'yes';
    const colour = wrote ? '${rgb(WROTE)}' : '${rgb(NONE_KEPT)}';`),
  // only one of the two kept: yellow (the cookie) or cyan (local storage), to tell which one was lost
  '/read': page(`
    const cookie = document.cookie.includes('${COOKIE}=yes');
    const storage = localStorage.getItem('${STORAGE_KEY}') === 'yes';
    const colour = cookie && storage ? '${rgb(BOTH_KEPT)}' : cookie ? '${rgb([255, 255, 0])}'
      : storage ? '${rgb([0, 255, 255])}' : '${rgb(NONE_KEPT)}';`),
};

/**
 * The files of Chromium's profile `dir` that hold `marker`, its caches left out (large, and never
 * where a setting is kept); files that vanish meanwhile are skipped.
 */
function filesHolding(dir: string, marker: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    if (!e.isFile() || /cache/i.test(path.slice(dir.length))) continue;
    try {
      if (readFileSync(path).includes(marker)) found.push(path);
    } catch {
      // a journal or temporary file gone since the listing
    }
  }
  return found;
}

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
    site = createServer((req, res) => {
      const body = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' });
      res.end(body ?? '');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
  }, 60_000);
  afterAll(async () => {
    await dash?.teardown();
    await new Promise((r) => site?.close(r));
  }, 60_000);

  it("keeps a file and the browser's settings for the next room, one room at a time, until DELETE", async () => {
    const body = { app: 'browser', profile: 'work', width: 640, height: 360, fps: 10 };
    const first = await dash.createReadyRoom({ ...body, startUrl: `${siteUrl}/write` }, 90_000);
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
    // its page set the cookie and the local storage, and read them back
    await framesUntilColour(dash, first, WROTE);

    // a second room with the profile while the first has it: refused, nothing left running
    const rooms = async () =>
      (await dash.api<{ rooms: Array<{ id: string }> }>('GET', '/api/rooms')).body.rooms;
    const refused = await dash.api<{ error: { code: string } }>('POST', '/api/rooms', body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('profile_in_use');
    expect((await rooms()).map((r) => r.id)).toEqual([first.id]);
    // nor can it be deleted while mounted
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(409);

    // the control: a room without the profile, on the same site, finds neither setting
    const control = await dash.createReadyRoom(
      { ...body, profile: undefined, startUrl: `${siteUrl}/read` },
      90_000,
    );
    await framesUntilColour(dash, control, NONE_KEPT);
    expect((await dash.api('DELETE', `/api/rooms/${control.id}`)).status).toBe(204);

    // Chromium writes both lazily (its cookie store commits every 30 s, local storage after a few
    // seconds) and a room's end need not let it flush: the room ends once both are on disk (the names
    // are stored in clear; the cookie's value is encrypted)
    await until(
      'the cookie and the local storage on disk',
      () => (filesHolding(chromium, COOKIE).length && filesHolding(chromium, STORAGE_KEY).length) || null,
      90_000,
    );

    const listed = await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles');
    expect(listed.body.profiles).toEqual([
      expect.objectContaining({ name: 'work', owner: 'operator', inUseBy: first.id }),
    ]);

    // the room ends: its processes are gone before the profile is free, and it is the dashboard's again
    expect((await dash.api('DELETE', `/api/rooms/${first.id}`)).status).toBe(204);
    expect(existsSync(`/proc/${firstPid}`)).toBe(false);
    expect(statSync(home)).toMatchObject({ uid: 0 });
    const profile = async () =>
      (await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles[0]!;
    // free at once; its size is measured after, in the background
    expect(await profile()).toMatchObject({ inUseBy: null });
    await expect
      .poll(async () => (await profile()).bytes, { timeout: 30_000, interval: 200 })
      .toBeGreaterThan(100_000); // a Chromium profile and the file, du-like

    // the next room with it: the file is there for its (other) desktop user, and its Chromium runs on
    // the browser profile the first one made, with the cookie and the local storage its page set
    const second = await dash.createReadyRoom({ ...body, startUrl: `${siteUrl}/read` }, 90_000);
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
    await framesUntilColour(dash, second, BOTH_KEPT);

    // DELETE: only once no room has it, and then the home is gone
    expect((await dash.api('DELETE', `/api/rooms/${second.id}`)).status).toBe(204);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(204);
    expect(existsSync(home)).toBe(false);
    expect((await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles).toEqual([]);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(404);
  }, 420_000);
});
