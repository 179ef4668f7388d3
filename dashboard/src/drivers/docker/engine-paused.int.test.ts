/**
 * A hung engine degrades, never hangs: with the real dockerd paused (SIGSTOP, as a wedged engine
 * behaves: connections accepted, nothing answered), GET /api/rooms, /healthz and GET /api/rooms/:id
 * answer within 2 s from the driver's event-fed cache, marked stale. The engine is shared with other
 * tests: it is paused for a few seconds only and resumed (SIGCONT) on every path.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.js';
import type { RoomDriver } from '../../rooms/room-driver.js';
import { loadSecrets } from '../../secrets/secret-store.js';
import { createDockerDriver, dockerUsable } from './index.js';

const ADMIN = 'engine-paused-admin-token-0123';
const instance = `itpause-${randomBytes(3).toString('hex')}`;
const auth = { authorization: `Bearer ${ADMIN}` };

function dockerdPid(): number {
  const pid = Number(readFileSync('/var/run/docker.pid', 'utf8').trim());
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (comm !== 'dockerd') throw new Error(`/var/run/docker.pid names ${comm}, not dockerd`);
  return pid;
}

/** Runs `fn` with dockerd stopped; it is continued whatever happens, and at the latest after `maxMs`. */
async function withEnginePaused<T>(maxMs: number, fn: () => Promise<T>): Promise<T> {
  const pid = dockerdPid();
  const resume = () => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone: nothing to resume
    }
  };
  const guard = setTimeout(resume, maxMs);
  process.once('exit', resume);
  process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    clearTimeout(guard);
    resume();
    process.off('exit', resume);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of three different routes
type Answer = { ms: number; status: number; body: any };

async function timedGet(base: string, path: string): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, { headers: auth, signal: AbortSignal.timeout(5000) });
  const body = await res.json();
  return { ms: performance.now() - t0, status: res.status, body };
}

describe('a paused docker engine', () => {
  let app: FastifyInstance;
  let driver: RoomDriver;
  let dataDir: string;
  let base: string;
  let roomId: string | undefined;

  beforeAll(async () => {
    expect(await dockerUsable()).toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-pause-'));
    const secrets = await loadSecrets(dataDir, ADMIN);
    driver = createDockerDriver({
      publicKeyPem: secrets.publicKeyPem,
      instance,
      network: `boxroom-${instance}`,
      stopTimeoutS: 2,
      log: pino({ level: 'warn' }),
    });
    await driver.init();
    app = await buildApp({
      config: { dataDir, publicUrl: 'http://localhost', maxRooms: 5, tokenTtlS: 3600 },
      log: pino({ level: 'warn' }),
      driver,
      secrets,
      webDir: null,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    try {
      if (roomId) await driver.delete(roomId);
    } finally {
      await app?.close();
      await driver?.close();
      const { default: Docker } = await import('dockerode');
      await new Docker()
        .getNetwork(`boxroom-${instance}`)
        .remove()
        .catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('leaves GET /api/rooms, /healthz and GET /api/rooms/:id answering within 2 s, marked stale', async () => {
    const created = await fetch(`${base}/api/rooms`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'paused engine', width: 640, height: 360, fps: 10 }),
    });
    expect(created.status).toBe(201);
    roomId = ((await created.json()) as { id: string }).id;
    for (let i = 0; i < 300; i++) {
      const { body } = await timedGet(base, `/api/rooms/${roomId}`);
      if (body.status === 'ready') break;
      expect(body.status).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await timedGet(base, '/healthz')).body).toMatchObject({ status: 'ok', engine: 'ok', rooms: 1 });

    const answers = await withEnginePaused(8000, async () => [
      await timedGet(base, '/api/rooms'),
      await timedGet(base, '/healthz'),
      await timedGet(base, `/api/rooms/${roomId}`),
    ]);
    const [list, health, one] = answers;
    console.log('answers with the engine paused (ms):', answers.map((a) => Math.round(a.ms)).join(', '));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.ms).toBeLessThan(2000);
    }
    expect(list!.body).toMatchObject({ stale: true, rooms: [{ id: roomId, status: 'ready', stale: true }] });
    // the agent runs on without its engine: live figures still come
    expect(list!.body.rooms[0].viewers).toBe(0);
    expect(health!.body).toMatchObject({ status: 'degraded', engine: 'unresponsive', stale: true, rooms: 1 });
    expect(one!.body).toMatchObject({ id: roomId, status: 'ready', stale: true });

    // resumed: the next answers come from the engine again
    let healthy = false;
    for (let i = 0; i < 50 && !healthy; i++) {
      healthy = (await timedGet(base, '/healthz')).body.engine === 'ok';
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy).toBe(true);
    expect((await timedGet(base, `/api/rooms/${roomId}`)).body.stale).toBeUndefined();
  }, 90_000);
});
