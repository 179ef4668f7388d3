import { execFile } from 'node:child_process';
import { get, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardProcess } from '../../test/support/dashboard-process.js';
import { isAacFrame, isAvcKeyframe, readFlvStream, waitForTag } from '../../test/support/flv-reader.js';

const run = promisify(execFile);
const INSTANCE = `it-restart-${process.pid}`;

interface Room {
  id: string;
  name: string;
  status: string;
  width: number;
  height: number;
  fps: number;
  links: { participant: string; viewer: string };
}

async function waitReady(d: DashboardProcess, id: string, timeoutMs: number): Promise<Room> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await d.api<Room>('GET', `/api/rooms/${id}`);
    if (body.status === 'ready') return body;
    if (body.status === 'failed') throw new Error(`room failed:\n${d.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`room not ready: ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Joins with the room's viewer link and reads FLV through the dashboard's proxy: H.264 + AAC. */
async function watch(d: DashboardProcess, room: Room): Promise<void> {
  const invite = new URL(room.links.viewer).hash.slice('#invite='.length);
  const res = await fetch(`${d.url}/api/rooms/${room.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: 'watcher' }),
  });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const stream = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${d.url}/rooms/${room.id}/stream.flv?token=${token}`, resolve).on('error', reject),
  );
  expect(stream.statusCode).toBe(200);
  const reader = readFlvStream(stream);
  await waitForTag(reader, isAvcKeyframe, 3000);
  await waitForTag(reader, isAacFrame, 3000);
  stream.destroy();
}

const containersOfInstance = async () =>
  (await run('docker', ['ps', '-aq', '--filter', `label=io.boxroom.instance=${INSTANCE}`])).stdout.trim();

describe('dashboard process with the docker driver and the real room image', () => {
  let dash: DashboardProcess;

  beforeAll(async () => {
    // the room image holds the current agent bundle; layer-cached when setup already built it
    await run('bash', ['scripts/images.sh'], { env: { ...process.env, IMAGES: 'room' }, timeout: 900_000 });
    dash = await DashboardProcess.start({ driver: 'docker', env: { BOXROOM_DOCKER_INSTANCE: INSTANCE } });
  }, 900_000);

  afterAll(async () => {
    if (!dash) return;
    try {
      const { body } = await dash.api<{ rooms: Room[] }>('GET', '/api/rooms');
      for (const r of body?.rooms ?? []) await dash.api('DELETE', `/api/rooms/${r.id}`);
    } finally {
      await dash.dispose();
      const left = await containersOfInstance();
      if (left) await run('docker', ['rm', '-f', ...left.split('\n')]);
    }
  });

  it('creates a streaming room, and a restarted dashboard still lists it and streams it', async () => {
    const created = await dash.api<Room>('POST', '/api/rooms', {
      name: 'survives restarts',
      width: 960,
      height: 540,
      fps: 25,
    });
    expect(created.status).toBe(201);
    const room = await waitReady(dash, created.body.id, 60_000);
    await watch(dash, room);

    await dash.restart();
    const { body } = await dash.api<{ rooms: Room[] }>('GET', '/api/rooms');
    const again = body.rooms.find((r) => r.id === room.id);
    expect(again).toMatchObject({ id: room.id, name: 'survives restarts', width: 960, height: 540, fps: 25 });
    await waitReady(dash, room.id, 10_000);
    await watch(dash, again!);

    expect((await dash.api('DELETE', `/api/rooms/${room.id}`)).status).toBe(204);
    expect(await containersOfInstance()).toBe('');
    expect((await dash.api('GET', `/api/rooms/${room.id}`)).status).toBe(404);
  });
});
