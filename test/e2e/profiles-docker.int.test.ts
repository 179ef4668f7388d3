import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '@boxroom/contracts';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { endDockerDashboard, instanceLeftovers, startDockerDashboard } from '../support/docker-instance.js';
import { sleep } from '../support/processes.js';

/**
 * Persistent profiles of docker rooms (real engine, room image, dashboard process): the profile is
 * a labelled named volume mounted as the desktop's home; what the desktop and Chromium wrote there
 * is in the next room with it; one room at a time; DELETE removes the volume.
 */

const run = promisify(execFile);
const INSTANCE = `it-profiles-${process.pid}`;
const HOME = '/run/boxroom-profile';

let dash: DashboardProcess;

/** A shell command in the room as its desktop user (uid 1001), as a program in the room would. */
const asDesktop = (roomId: string, script: string) =>
  run('docker', ['exec', '-u', '1001', `boxroom-${INSTANCE}-${roomId}`, 'sh', '-c', script]).then(
    (r) => ({ ok: true, out: r.stdout }),
    (e: { stderr?: string }) => ({ ok: false, out: e.stderr ?? '' }),
  );

const volumes = () => instanceLeftovers(INSTANCE, 'volume');

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what} not seen in ${timeoutMs} ms`);
    await sleep(250);
  }
}

describe('persistent profiles of docker rooms', () => {
  beforeAll(async () => {
    dash = await startDockerDashboard(INSTANCE);
  }, 900_000);
  afterAll(() => endDockerDashboard(dash, INSTANCE), 60_000);

  it('keeps the home on a named volume for the next room, one room at a time, until DELETE', async () => {
    const body = { app: 'browser', profile: 'work', width: 640, height: 360, fps: 10 };
    const first = await dash.createReadyRoom(body, 90_000);
    const [volume] = await volumes();
    expect(volume).toMatch(new RegExp(`^boxroom-${INSTANCE}-profile-[0-9a-f]{32}$`));
    const inspect = JSON.parse((await run('docker', ['volume', 'inspect', volume!])).stdout) as Array<{
      Labels: Record<string, string>;
    }>;
    expect(inspect[0]!.Labels).toMatchObject({
      'io.boxroom.profile.owner': 'operator',
      'io.boxroom.profile.name': 'work',
    });

    // the desktop's HOME is the volume, its own (0700); Chromium keeps its profile there
    const home = await asDesktop(
      first.id,
      `echo "$(stat -c '%u %a' ${HOME})"; grep " ${HOME} " /proc/mounts`,
    );
    expect(home.out).toMatch(/^1001 700\n/);
    await until(
      'Chromium writing its profile to the volume',
      async () => (await asDesktop(first.id, `test -f ${HOME}/chromium/Default/Preferences`)).ok,
    );
    expect((await asDesktop(first.id, `printf 'kept across rooms' > ${HOME}/notes.txt`)).ok).toBe(true);

    // a second room with it at once: refused, no container made
    const refused = await dash.api<{ error: { code: string } }>('POST', '/api/rooms', body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('profile_in_use');
    expect(await instanceLeftovers(INSTANCE, 'ps')).toHaveLength(1);

    // the room goes, the volume stays, measured
    expect((await dash.api('DELETE', `/api/rooms/${first.id}`)).status).toBe(204);
    expect(await volumes()).toEqual([volume]);
    const profiles = async () =>
      (await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles;
    expect(await profiles()).toEqual([
      expect.objectContaining({ name: 'work', owner: 'operator', inUseBy: null }),
    ]);
    // measured after the lease is free, in the background
    await expect
      .poll(async () => (await profiles())[0]?.bytes, { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(100_000);

    // the next room: the file and Chromium's profile are there
    const second = await dash.createReadyRoom(body, 90_000);
    expect((await asDesktop(second.id, `cat ${HOME}/notes.txt`)).out).toBe('kept across rooms');
    expect((await asDesktop(second.id, `test -f ${HOME}/chromium/Default/Preferences`)).ok).toBe(true);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(409);

    // DELETE once no room has it: the volume goes
    expect((await dash.api('DELETE', `/api/rooms/${second.id}`)).status).toBe(204);
    expect((await dash.api('DELETE', '/api/profiles/work')).status).toBe(204);
    expect(await volumes()).toEqual([]);
    expect((await dash.api<{ profiles: Profile[] }>('GET', '/api/profiles')).body.profiles).toEqual([]);
  }, 300_000);
});
