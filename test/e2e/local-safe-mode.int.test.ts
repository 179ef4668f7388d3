import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { DashboardProcess } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';

/**
 * The local driver's safe mode and the dashboard's side of the desktop reset, against the real
 * dashboard process and real rooms: modes of the data dir, the desktop reset through the API while the
 * room keeps streaming, and rooms that stop themselves once their dashboard is gone for good.
 */

interface RoomInfo {
  id: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
}

const NO_TIMEOUTS = { maxAgeS: 0, noViewersS: 0, noInputS: 0 };
const isRoot = process.getuid?.() === 0;
let dash: DashboardProcess | null = null;

afterEach(async () => {
  await dash?.teardown();
  dash = null;
}, 60_000);

async function createRoom(d: DashboardProcess): Promise<RoomInfo> {
  const res = await d.api<RoomInfo>('POST', '/api/rooms', {
    width: 640,
    height: 360,
    fps: 10,
    timeouts: NO_TIMEOUTS,
  });
  expect(res.status).toBe(201);
  const deadline = Date.now() + 45_000;
  for (;;) {
    const { body } = await d.api<{ status: string }>('GET', `/api/rooms/${res.body.id}`);
    if (body.status === 'ready') return res.body;
    if (body.status === 'failed' || Date.now() > deadline)
      throw new Error(`room ${res.body.id} ${body.status}:\n${d.output().slice(-3000)}`);
    await sleep(200);
  }
}

async function joinRoom(d: DashboardProcess, room: RoomInfo, role: 'participant' | 'owner'): Promise<string> {
  const invite = new URL(room.links[role]).hash.replace(/^#invite=/, '');
  const res = await fetch(`${d.url}/api/rooms/${room.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: role }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** The first bytes of the room's FLV stream through the dashboard. */
async function flvHead(d: DashboardProcess, roomId: string, token: string): Promise<string> {
  const ctl = new AbortController();
  const res = await fetch(`${d.url}/rooms/${roomId}/stream.flv?token=${token}`, { signal: ctl.signal });
  const reader = res.body!.getReader();
  const first = await Promise.race([reader.read(), sleep(10_000).then(() => ({ value: undefined }))]);
  ctl.abort();
  return `${res.status} ${Buffer.from(first.value ?? [])
    .subarray(0, 3)
    .toString()}`;
}

const modeOf = (p: string) => statSync(p).mode & 0o777;

/** Running (a zombie waiting for a reaper that never comes counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('local driver safe mode (real dashboard, local rooms)', () => {
  it('data dir 0700, secrets 0600, run dirs 0700; desktops run as their own user when root', async () => {
    dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'info' } });
    const room = await createRoom(dash);
    expect(modeOf(dash.dataDir)).toBe(0o700);
    expect(modeOf(join(dash.dataDir, 'keys'))).toBe(0o700);
    for (const f of ['keys/token-ed25519.pem', 'keys/invite.key'])
      expect(modeOf(join(dash.dataDir, f)), f).toBe(0o600);
    expect(modeOf(dash.localRoom(room.id).runDir)).toBe(0o700);
    const health = (await (
      await fetch(`http://127.0.0.1:${dash.localRoom(room.id).port}/healthz`)
    ).json()) as { isolation?: string };
    // As root with the desktop user present (scripts/setup.sh) the room is separated, and the
    // dashboard says so; otherwise it says plainly that it is not.
    if (isRoot && spawnSync('id', ['-u', 'boxroom-desktop']).status === 0) {
      expect(health.isolation).toBe('desktop-user');
      expect(dash.output()).toContain('local room desktops run as users of their own, one per room');
      expect(dash.output()).not.toContain('NOT separated');
    } else {
      expect(health.isolation).toBe('none');
      expect(dash.output()).toContain('local rooms are NOT separated from the dashboard');
    }
  });

  it('desktop reset through the dashboard: owner 202, participant 403, the room keeps streaming', async () => {
    dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
    const room = await createRoom(dash);
    const owner = await joinRoom(dash, room, 'owner');
    const participant = await joinRoom(dash, room, 'participant');
    const reset = (token: string) =>
      dash!.api<{ room: string; status: string }>(
        'POST',
        `/api/rooms/${room.id}/desktop/reset`,
        undefined,
        token,
      );
    expect((await reset(participant)).status).toBe(403);
    const res = await reset(owner);
    expect(res).toEqual({ status: 202, body: { room: room.id, status: 'resetting' } });
    // the admin credential may too (it never reaches the agent: the dashboard mints an aud token)
    expect((await reset(dash.adminToken)).status).toBe(202);
    // the room is still there and streams
    await sleep(1000);
    expect(await flvHead(dash, room.id, participant)).toBe('200 FLV');
    const { body } = await dash.api<{ status: string }>('GET', `/api/rooms/${room.id}`);
    expect(body.status).toBe('ready');
  });

  it('each local room has a desktop user of its own: a reset in one leaves the other alone; delete removes it', async () => {
    dash = await DashboardProcess.start({ driver: 'local', env: { BOXROOM_LOG_LEVEL: 'warn' } });
    const [a, b] = [await createRoom(dash), await createRoom(dash)];
    const userOf = (id: string) => `bxd-${id}`;
    /** pid -> command of the processes running as a user */
    const procs = (user: string): Map<number, string> => {
      const out = spawnSync('ps', ['-o', 'pid=,comm=', '-u', user], { encoding: 'utf8' }).stdout ?? '';
      return new Map(
        out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.trim().split(/\s+/))
          .map(([pid, comm]) => [Number(pid), comm!]),
      );
    };
    if (!isRoot) {
      // an ordinary user cannot make users: both rooms run as the dashboard's own user (and it said so)
      expect(spawnSync('id', ['-u', userOf(a.id)]).status).not.toBe(0);
      return;
    }
    await expect.poll(() => [...procs(userOf(a.id)).values()], { timeout: 15_000 }).toContain('openbox');
    await expect.poll(() => [...procs(userOf(b.id)).values()], { timeout: 15_000 }).toContain('openbox');
    const bBefore = [...procs(userOf(b.id)).keys()];
    const owner = await joinRoom(dash, a, 'owner');
    const res = await dash.api('POST', `/api/rooms/${a.id}/desktop/reset`, undefined, owner);
    expect(res.status).toBe(202);
    // A's desktop is new (new pids), B's is the same processes as before
    await expect
      .poll(() => [...procs(userOf(a.id)).keys()].some((pid) => bBefore.includes(pid)), { timeout: 5000 })
      .toBe(false);
    await sleep(2000);
    const bAfter = [...procs(userOf(b.id)).keys()];
    for (const pid of bBefore) expect(bAfter).toContain(pid);
    // what A's desktop left in the shared temporary dirs would belong to the next user given its uid
    const uidA = Number(spawnSync('id', ['-u', userOf(a.id)], { encoding: 'utf8' }).stdout.trim());
    const left = [`/tmp/boxroom-left-${a.id}`, `/dev/shm/boxroom-left-${a.id}`];
    onTestFinished(() => {
      for (const f of left) rmSync(f, { force: true });
    });
    for (const f of left) writeFileSync(f, 'secret');
    for (const f of left) chownSync(f, uidA, uidA);
    // deleting a room ends and removes its user (and its files); the other room's stays
    expect((await dash.api('DELETE', `/api/rooms/${a.id}`)).status).toBe(204);
    await expect.poll(() => spawnSync('id', ['-u', userOf(a.id)]).status, { timeout: 15_000 }).not.toBe(0);
    expect(procs(userOf(a.id)).size).toBe(0);
    for (const f of left) expect(existsSync(f), f).toBe(false);
    expect(spawnSync('id', ['-u', userOf(b.id)]).status).toBe(0);
  });

  it('orphans: rooms live while the dashboard calls them, and stop themselves once it is gone', async () => {
    // 20 s of silence ends a room; the dashboard calls each room every 5 s (a quarter of it).
    dash = await DashboardProcess.start({
      driver: 'local',
      env: { BOXROOM_LOG_LEVEL: 'warn', BOXROOM_LOCAL_ROOM_ORPHAN_S: '20', BOXROOM_ROOM_POLL_MS: '600000' },
    });
    const room = await createRoom(dash);
    const { pid } = dash.localRoom(room.id);
    expect(pid).toBeGreaterThan(0);
    // longer than the silence limit, with the dashboard up: the keep-alive holds the room
    await sleep(30_000);
    expect(alive(pid!)).toBe(true);
    const { body } = await dash.api<{ status: string }>('GET', `/api/rooms/${room.id}`);
    expect(body.status).toBe('ready');
    // the dashboard goes away (rooms outlive it)...
    await dash.stop();
    const stoppedAt = Date.now();
    expect(alive(pid!)).toBe(true);
    // ...and after 20 s without a call the agent stops itself, gracefully
    while (alive(pid!) && Date.now() - stoppedAt < 45_000) await sleep(500);
    expect(alive(pid!)).toBe(false);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(10_000);
    // a dashboard that comes back finds the room failed, and deleting it removes what is left (its user too)
    await dash.restart();
    const after = await dash.api<{ status: string }>('GET', `/api/rooms/${room.id}`);
    expect(after.body.status).toBe('failed');
    expect((await dash.api('DELETE', `/api/rooms/${room.id}`)).status).toBe(204);
    expect(spawnSync('id', ['-u', `bxd-${room.id}`]).status).not.toBe(0);
  }, 120_000);
});
