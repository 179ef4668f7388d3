import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomFileList } from '@boxroom/contracts';
import { DashboardProcess } from '../support/dashboard-process.js';
import { asDesktopUser } from '../support/desktop-user.js';
import { sleep } from '../support/processes.js';

/**
 * Files in and out of a real local room through a real dashboard: the bytes go caller -> dashboard ->
 * the room's agent -> a worker run as the room's desktop user, and back. What arrives is read in the
 * room's folder; what the room writes (as its desktop user) is downloaded, whole and by range.
 */

interface RoomInfo {
  id: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
}

const MIB = 1024 * 1024;
const FILE_MAX_BYTES = 6 * MIB;
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const isRoot = process.getuid?.() === 0;

let dash: DashboardProcess;
let room: RoomInfo;
let closed: RoomInfo;
let folder: string;
const tokens = {} as Record<'owner' | 'participant' | 'viewer', string>;

async function createRoom(body: object): Promise<RoomInfo> {
  const res = await dash.api<RoomInfo>('POST', '/api/rooms', {
    width: 640,
    height: 360,
    fps: 10,
    timeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 },
    ...body,
  });
  expect(res.status).toBe(201);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { body: r } = await dash.api<{ status: string }>('GET', `/api/rooms/${res.body.id}`);
    if (r.status === 'ready') return res.body;
    if (r.status === 'failed' || Date.now() > deadline)
      throw new Error(`room ${res.body.id} ${r.status}:\n${dash.output().slice(-3000)}`);
    await sleep(200);
  }
}

async function joinAs(r: RoomInfo, role: 'participant' | 'viewer' | 'owner'): Promise<string> {
  const invite = new URL(r.links[role]).hash.replace(/^#invite=/, '');
  const res = await fetch(`${dash.url}/api/rooms/${r.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: role }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

const fileUrl = (r: RoomInfo, name: string) => `${dash.url}/api/rooms/${r.id}/files/${name}`;

function put(r: RoomInfo, name: string, body: BodyInit, token = dash.adminToken) {
  return fetch(fileUrl(r, name), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** The status of a request sent with its path exactly as written (no URL normalization). */
function rawStatus(method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // host, port and path apart: a URL string would be normalized (`%2E%2E` -> `..`) before sending
    const req = request({
      hostname: '127.0.0.1',
      port: dash.port,
      path,
      method,
      headers: { authorization: `Bearer ${dash.adminToken}`, 'content-length': '1' },
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end('x');
  });
}

function get(r: RoomInfo, name: string, token = dash.adminToken, headers: Record<string, string> = {}) {
  return fetch(fileUrl(r, name), { headers: { authorization: `Bearer ${token}`, ...headers } });
}

describe('files in and out of a local room (real dashboard, agent, desktop user)', () => {
  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: { BOXROOM_LOG_LEVEL: 'warn', BOXROOM_FILE_MAX_BYTES: String(FILE_MAX_BYTES) },
    });
    room = await createRoom({});
    closed = await createRoom({ files: { upload: false, download: false } });
    for (const role of ['owner', 'participant', 'viewer'] as const) tokens[role] = await joinAs(room, role);
    const list = await dash.api<RoomFileList>('GET', `/api/rooms/${room.id}/files`);
    expect(list.status).toBe(200);
    folder = list.body.folder!;
  }, 240_000);

  afterAll(async () => {
    await dash?.teardown();
  }, 60_000);

  it('an upload of 5 MB lands in the room with the same SHA-256, owned by the desktop user; again replaces it', async () => {
    const data = randomBytes(5 * MIB);
    const res = await put(room, 'report%20final.bin', data, tokens.owner);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'report final.bin', size: 5 * MIB });
    const inRoom = readFileSync(join(folder, 'report final.bin'));
    expect(sha(inRoom)).toBe(sha(data));
    if (isRoot) {
      const uid = Number(spawnSync('id', ['-u', `bxd-${room.id}`], { encoding: 'utf8' }).stdout.trim());
      expect(
        spawnSync('stat', ['-c', '%u', join(folder, 'report final.bin')], { encoding: 'utf8' }).stdout.trim(),
      ).toBe(String(uid));
    }
    expect((await put(room, 'report%20final.bin', Buffer.from('v2'))).status).toBe(204);
    expect(readFileSync(join(folder, 'report final.bin'), 'utf8')).toBe('v2');
    const list = await dash.api<RoomFileList>(
      'GET',
      `/api/rooms/${room.id}/files`,
      undefined,
      tokens.participant,
    );
    expect(list.body.files).toContainEqual({
      name: 'report final.bin',
      size: 2,
      modifiedAt: expect.any(String),
    });
  });

  it('a file the room writes downloads with the same SHA-256, and by range', async () => {
    asDesktopUser(room.id, `head -c 3000000 /dev/urandom > '${folder}/made in room.dat'`);
    const inRoom = readFileSync(join(folder, 'made in room.dat'));
    const whole = await get(room, 'made%20in%20room.dat', tokens.participant);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('3000000');
    expect(whole.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''made%20in%20room.dat",
    );
    expect(sha(new Uint8Array(await whole.arrayBuffer()))).toBe(sha(inRoom));
    const part = await get(room, 'made%20in%20room.dat', tokens.participant, {
      range: 'bytes=1000000-1999999',
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 1000000-1999999/3000000');
    expect(sha(new Uint8Array(await part.arrayBuffer()))).toBe(sha(inRoom.subarray(1_000_000, 2_000_000)));
    const tail = await get(room, 'made%20in%20room.dat', tokens.participant, { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).toString('hex')).toBe(inRoom.subarray(-10).toString('hex'));
    const past = await get(room, 'made%20in%20room.dat', tokens.participant, { range: 'bytes=3000000-' });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */3000000');
  });

  it('refuses names that are not plain file names (400) and never follows a link the room planted', async () => {
    for (const name of ['..%2Fescape', 'a%2Fb', '..%5Cx', 'nul%00x'])
      expect((await put(room, name, Buffer.from('x'))).status, name).toBe(400);
    // fetch would make `%2E%2E` a `..` segment itself (WHATWG URLs): sent as is, the server refuses it
    expect(await rawStatus('PUT', `/api/rooms/${room.id}/files/%2E%2E`)).toBe(400);
    expect((await get(room, '..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    // the desktop user points a name at a file outside the folder: it is not listed, not served
    asDesktopUser(room.id, `ln -s /etc/hostname '${folder}/link'`);
    expect((await get(room, 'link')).status).toBe(404);
    const list = await dash.api<RoomFileList>('GET', `/api/rooms/${room.id}/files`);
    expect(list.body.files.map((f) => f.name)).not.toContain('link');
    expect(readdirSync(folder).filter((n) => n.startsWith('..'))).toEqual([]);
  });

  it('answers 413 over the size cap, declared or streamed, and keeps no partial file', async () => {
    const over = await put(room, 'big.bin', randomBytes(FILE_MAX_BYTES + 1));
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('too_large');
    // no Content-Length: the agent counts while the bytes stream
    const chunk = randomBytes(MIB);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 8) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await put(room, 'big2.bin', stream).catch((err: unknown) => err as Error);
    if (streamed instanceof Response) expect(streamed.status).toBe(413);
    await sleep(500);
    expect(
      readdirSync(folder).filter((n) => n.startsWith('big') || n.startsWith('.boxroom-upload-')),
    ).toEqual([]);
  });

  it('an upload cut off half way leaves no file', async () => {
    // 1 MiB of a declared 4 MiB, then the connection is gone
    const url = new URL(fileUrl(room, 'cut.bin'));
    const req = request(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${dash.adminToken}`, 'content-length': String(4 * MIB) },
    });
    req.on('error', () => {});
    req.write(randomBytes(MIB));
    await sleep(500);
    req.destroy();
    await expect
      .poll(
        () => readdirSync(folder).filter((n) => n.startsWith('cut') || n.startsWith('.boxroom-upload-')),
        {
          timeout: 5000,
        },
      )
      .toEqual([]);
  });

  it('viewers neither upload nor download (403); participants download, and upload only holding control', async () => {
    expect((await put(room, 'v.txt', Buffer.from('x'), tokens.viewer)).status).toBe(403);
    expect((await get(room, 'made%20in%20room.dat', tokens.viewer)).status).toBe(403);
    expect((await dash.api('GET', `/api/rooms/${room.id}/files`, undefined, tokens.viewer)).status).toBe(403);
    expect((await put(room, 'p.txt', Buffer.from('x'), tokens.participant)).status).toBe(403);
    const req = await dash.api('POST', `/api/rooms/${room.id}/control/request`, {}, tokens.participant);
    expect(req.status).toBe(200);
    expect((await put(room, 'p.txt', Buffer.from('from the controller'), tokens.participant)).status).toBe(
      201,
    );
    expect(readFileSync(join(folder, 'p.txt'), 'utf8')).toBe('from the controller');
  });

  it("the owner's policy off refuses both ways, to everyone", async () => {
    const owner = await joinAs(closed, 'owner');
    for (const token of [owner, dash.adminToken]) {
      expect((await put(closed, 'x.txt', Buffer.from('x'), token)).status).toBe(403);
      expect((await get(closed, 'x.txt', token)).status).toBe(403);
      expect((await dash.api('GET', `/api/rooms/${closed.id}/files`, undefined, token)).status).toBe(403);
    }
  });
});
