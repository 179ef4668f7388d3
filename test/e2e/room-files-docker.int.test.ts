import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomFileList } from '@boxroom/contracts';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { endDockerDashboard, startDockerDashboard } from '../support/docker-instance.js';
import { sleep } from '../support/processes.js';

/**
 * A docker room's files folder is a tmpfs of the quota's size: the agent's budget refuses an upload
 * that would not fit (413), and the kernel bounds the folder whoever writes, the desktop's own
 * programs included, and uploads that the budget did not see coming.
 */

const run = promisify(execFile);
const INSTANCE = `it-files-${process.pid}`;
const MIB = 1024 * 1024;
const QUOTA = 8 * MIB;

let dash: DashboardProcess;
let roomId: string;

const container = () => `boxroom-${INSTANCE}-${roomId}`;
/** A shell command in the room as its desktop user (uid 1001), as a program in the room would. */
const asDesktop = (script: string) =>
  run('docker', ['exec', '-u', '1001', container(), 'sh', '-c', script]).then(
    (r) => ({ ok: true, out: r.stdout }),
    (e: { stderr?: string }) => ({ ok: false, out: e.stderr ?? '' }),
  );

const put = (name: string, body: BodyInit) =>
  fetch(`${dash.url}/api/rooms/${roomId}/files/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${dash.adminToken}`, 'content-type': 'application/octet-stream' },
    body,
  } as RequestInit);

describe('files quota of a docker room (real engine, room image, dashboard process)', () => {
  beforeAll(async () => {
    dash = await startDockerDashboard(INSTANCE, {
      BOXROOM_FILES_QUOTA_BYTES: String(QUOTA),
      BOXROOM_FILE_MAX_BYTES: String(6 * MIB),
    });
    const created = await dash.api<{ id: string }>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 10,
    });
    expect(created.status).toBe(201);
    roomId = created.body.id;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { body } = await dash.api<{ status: string }>('GET', `/api/rooms/${roomId}`);
      if (body.status === 'ready') break;
      if (body.status === 'failed' || Date.now() > deadline)
        throw new Error(`room ${body.status}:\n${dash.output().slice(-3000)}`);
      await sleep(200);
    }
  }, 900_000);

  afterAll(() => endDockerDashboard(dash, INSTANCE), 60_000);

  it("the folder is a tmpfs of the quota, the desktop user's; uploads past it answer 413, whoever filled it", async () => {
    const { body } = await dash.api<RoomFileList>('GET', `/api/rooms/${roomId}/files`);
    expect(body).toEqual({ files: [], folder: '/run/boxroom-files' });
    const mount = await asDesktop(
      'grep " /run/boxroom-files " /proc/mounts; stat -c "%u %a" /run/boxroom-files',
    );
    expect(mount.out).toMatch(/^tmpfs \/run\/boxroom-files tmpfs rw,nosuid,nodev,noexec,.*size=8192k/);
    expect(mount.out).toContain('1001 700');

    expect((await put('one.bin', randomBytes(5 * MIB))).status).toBe(201);
    // 5 + 5 MiB > 8 MiB: refused before a byte is read
    const two = await put('two.bin', randomBytes(5 * MIB));
    expect(two.status).toBe(413);
    // the desktop fills most of what is left where the agent does not count (a folder in it)...
    const filled = await asDesktop(
      'mkdir -p /run/boxroom-files/sub && head -c 20000000 /dev/zero > /run/boxroom-files/sub/fill',
    );
    // ...and the kernel stops it at the tmpfs' size, not the host's disk
    expect(filled.ok).toBe(false);
    expect(filled.out).toMatch(/No space left/);
    const du = await asDesktop('du -sk /run/boxroom-files | cut -f1');
    expect(Number(du.out.trim())).toBeLessThanOrEqual(QUOTA / 1024);
    const ls = await asDesktop('ls -A /run/boxroom-files');
    expect(ls.out.trim().split('\n').sort()).toEqual(['one.bin', 'sub']); // no partial two.bin
  });
});
