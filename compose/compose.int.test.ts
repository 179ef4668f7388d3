/**
 * compose/compose.yaml as an operator runs it: Debian's docker-compose 1.29, the images
 * scripts/images.sh builds (layer-cached), the real engine. One project, instance, rooms network and
 * port of its own, so it runs next to any other deployment on the machine; everything it starts is
 * removed afterwards, also when a step fails.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchDashboard } from '../test/support/contract-check.js';
import { isAvcKeyframe, readFlvStream, waitForTag } from '../test/support/flv-reader.js';
import { freePort, sleep } from '../test/support/processes.js';

const run = promisify(execFile);
const REPO = new URL('../', import.meta.url).pathname;
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const suffix = randomBytes(3).toString('hex');
const PROJECT = `boxroomit${suffix}`;
const INSTANCE = `it-compose-${suffix}`;
const NETWORK = `boxroom-${INSTANCE}`;
const ADMIN_TOKEN = `it-compose-admin-${randomBytes(12).toString('hex')}`;

interface Room {
  id: string;
  name: string;
  status: string;
  links: { participant: string; viewer: string };
}

let port: number;
let url: string;
let env: NodeJS.ProcessEnv;

async function compose(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(
    'docker-compose',
    ['-p', PROJECT, '-f', 'compose/compose.yaml', ...args],
    {
      cwd: REPO,
      env,
      timeout: 120_000,
    },
  );
  return stdout + stderr;
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function waitHealthy(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening (yet, or again)
    }
    if (Date.now() > deadline) throw new Error(`dashboard not healthy in ${timeoutMs} ms:\n${await logs()}`);
    await sleep(200);
  }
}

async function waitReady(id: string, timeoutMs: number): Promise<Room> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api<Room>('GET', `/api/rooms/${id}`);
    if (body.status === 'ready') return body;
    if (body.status === 'failed' || Date.now() > deadline)
      throw new Error(`room ${id} is ${body.status}:\n${await logs()}`);
    await sleep(100);
  }
}

async function logs(): Promise<string> {
  return (await compose('logs', '--no-color', '--tail=40').catch((err: Error) => err.message)).slice(-4000);
}

/** Joins with the viewer invite and reads the stream through the dashboard: an H.264 keyframe. */
async function watch(room: Room): Promise<void> {
  const invite = new URL(room.links.viewer).hash.slice('#invite='.length);
  const res = await fetch(`${url}/api/rooms/${room.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: 'compose-watcher' }),
  });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  const stream = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${url}/rooms/${room.id}/stream.flv?token=${token}`, resolve).on('error', reject),
  );
  try {
    expect(stream.statusCode).toBe(200);
    await waitForTag(readFlvStream(stream), isAvcKeyframe, 5000);
  } finally {
    stream.destroy();
  }
}

async function roomContainers(): Promise<string[]> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=io.boxroom.instance=${INSTANCE}`]);
  return stdout.split('\n').filter(Boolean);
}

async function projectContainers(): Promise<string[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    timeout: IMAGE_BUILD_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  // what the composed dashboard answers is held to the contracts too (test/support/contract-check.ts)
  watchDashboard(url);
  env = {
    ...process.env,
    BOXROOM_PORT: String(port),
    BOXROOM_PUBLIC_URL: url,
    BOXROOM_ADMIN_TOKEN: ADMIN_TOKEN,
    BOXROOM_DOCKER_INSTANCE: INSTANCE,
    BOXROOM_DOCKER_NETWORK: NETWORK,
    // counts the room containers it makes: no pooled room beside them (the pool on docker has
    // its own test, test/e2e/pool-docker.int.test.ts)
    BOXROOM_POOL: '0',
  };
  await compose('up', '-d');
  await waitHealthy();
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (!env) return;
  await compose('down', '-v', '-t', '5').catch(() => undefined);
  const left = [...(await roomContainers()), ...(await projectContainers())];
  if (left.length) await run('docker', ['rm', '-f', '-v', ...left]).catch(() => undefined);
  await run('docker', ['network', 'rm', NETWORK]).catch(() => undefined);
  await run('docker', ['volume', 'rm', `${PROJECT}_data`]).catch(() => undefined);
}, 120_000);

describe('docker-compose deployment (compose/compose.yaml)', () => {
  it('serves rooms that outlive dashboard restarts and recreation, and down removes them', async () => {
    // the image carries the web UI: both pages are served
    for (const page of ['/', '/r/abcdefghij']) {
      const res = await fetch(`${url}${page}`);
      expect(res.status, page).toBe(200);
      expect(await res.text()).toContain('<!doctype html>');
    }
    // and the API browser with its files, which the one-file bundle finds beside itself
    for (const path of ['/docs/', '/docs/static/swagger-ui.css', '/docs/static/logo.svg'])
      expect((await fetch(`${url}${path}`)).status, path).toBe(200);
    const created = await api<Room>('POST', '/api/rooms', {
      name: 'compose room',
      width: 640,
      height: 360,
      fps: 15,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const room = await waitReady(id, 60_000);
    await watch(room);
    expect(await roomContainers()).toHaveLength(1);

    // The dashboard alone restarts: the janitor is not involved, the labels bring the room back.
    await compose('restart', 'dashboard');
    await waitHealthy();
    const listed = await api<{ rooms: Room[] }>('GET', '/api/rooms');
    expect(listed.body.rooms.map((r) => r.id)).toEqual([id]);
    await watch(await waitReady(id, 10_000));

    // `up -d` recreating both services (as after an image rebuild): the janitor goes first, sees the
    // dashboard still answering, and leaves the rooms alone.
    await compose('up', '-d', '--force-recreate');
    await waitHealthy();
    expect((await api<{ rooms: Room[] }>('GET', '/api/rooms')).body.rooms.map((r) => r.id)).toEqual([id]);
    expect(await roomContainers()).toHaveLength(1);

    // `down`: dashboard first, then the janitor, which removes the room before it exits.
    await compose('down', '-v');
    expect(await roomContainers()).toEqual([]);
    expect(await projectContainers()).toEqual([]);
  }, 240_000);
});
