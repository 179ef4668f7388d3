/**
 * The docker driver against the real engine and the real room image (boxroom/room:latest).
 * beforeAll runs `bash scripts/images.sh` with IMAGES=room: layer-cached, so after `.ci/run`'s setup
 * built the images it costs seconds, and the image always holds the current agent bundle. It needs a
 * Docker engine (images.sh starts dockerd when root) and debootstrap or a registry for a cold build.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOM_AGENT_DEFAULTS } from '../../config.js';
import type { RoomDriver, RoomSpec, RoomStatus } from '../../rooms/room-driver.js';
import { createDockerDriver, dockerUsable } from './index.js';
import { labelFilter } from './labels.js';
import { roomsBridge } from './network.js';
import { removeRoomFirewall } from './room-firewall.js';

const run = promisify(execFile);
const REPO = new URL('../../../../', import.meta.url).pathname;
const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 45_000;

const docker = new Docker();
const instance = `itest-${randomBytes(3).toString('hex')}`;
const network = `boxroom-${instance}`;
const spec: RoomSpec = {
  id: `t${randomBytes(4).toString('hex')}`,
  name: 'integration room',
  width: 640,
  height: 360,
  fps: 15,
  app: 'terminal',
  createdAt: Date.now(),
  ownerId: 'owner-1',
  // stored in labels and passed to the agent; long enough never to fire during the test
  timeouts: { maxAgeS: 3600, noViewersS: 0, noInputS: 0 },
};

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let publicKeyPem: string;
const drivers: RoomDriver[] = [];

function driver(): RoomDriver {
  const d = createDockerDriver({
    publicKeyPem,
    instance,
    network,
    stopTimeoutS: 5,
    // an operator's room setting, as local rooms get them: control is released after 1 s without input
    room: { ...ROOM_AGENT_DEFAULTS, controlIdleS: 1 },
    log: pino({ level: 'warn' }),
    // what scripts/images.sh just built (it honours ROOM_IMAGE too)
    ...(process.env.ROOM_IMAGE ? { image: process.env.ROOM_IMAGE } : {}),
  });
  drivers.push(d);
  return d;
}

async function token(room: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ room, role: 'operator', name: 'itest' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('boxroom')
    .setSubject('itest-operator')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}

/** The first bytes of the room's HTTP-FLV stream: header plus at least one video tag. */
async function readFlv(agentUrl: string, minBytes = 4096): Promise<Buffer> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 15_000);
  try {
    const res = await fetch(`${agentUrl}/stream.flv?token=${await token(spec.id)}`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
      total += chunk.length;
      if (total >= minBytes) break;
    }
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

function hasVideoTag(flv: Buffer): boolean {
  // FLV header (9 bytes) + PreviousTagSize0, then tags: type 9 is video.
  for (let at = 13; at + 11 <= flv.length;) {
    if (flv[at] === 9) return true;
    at += 11 + flv.readUIntBE(at + 1, 3) + 4;
  }
  return false;
}

async function removeTestContainers(): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: labelFilter(instance) } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  // init() fenced the network with the host's firewall (as root): take those rules away with it
  const bridge = await roomsBridge(docker, network).catch(() => null);
  if (bridge) await removeRoomFirewall(bridge);
  await docker
    .getNetwork(network)
    .remove()
    .catch(() => undefined);
}

beforeAll(async () => {
  await run('bash', ['scripts/images.sh'], {
    cwd: REPO,
    env: { ...process.env, IMAGES: 'room' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey;
  publicKeyPem = await exportSPKI(pair.publicKey);
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await removeTestContainers();
});

describe('docker driver (real engine, real room image)', () => {
  it('is usable: engine up and room image present', async () => {
    expect(await dockerUsable(process.env.ROOM_IMAGE ? { image: process.env.ROOM_IMAGE } : {})).toBe(true);
    expect(await dockerUsable({ image: 'boxroom/no-such-image:none' })).toBe(false);
  });

  it('creates a room that becomes ready, streams, survives a dashboard restart and is deleted', async () => {
    const first = driver();
    await first.init();
    // init() made the rooms network, with rooms unable to reach each other
    const net = (await docker.getNetwork(network).inspect()) as { Options: Record<string, string> };
    expect(net.Options).toMatchObject({ 'com.docker.network.bridge.enable_icc': 'false' });
    const statuses: RoomStatus[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`not ready after ${READY_TIMEOUT_MS} ms: ${statuses.join(',')}`)),
        READY_TIMEOUT_MS,
      );
      first.on('status', (id, s) => {
        if (id !== spec.id) return;
        statuses.push(s);
        if (s === 'ready') resolve(void clearTimeout(t));
        if (s === 'failed') reject(new Error('room failed'));
      });
    });

    const t0 = Date.now();
    const created = await first.create(spec);
    expect(created.spec).toEqual(spec);
    expect(created.status).toBe('starting');
    expect(created.agentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(first.create(spec)).rejects.toMatchObject({ code: 'conflict' });

    await ready;
    console.log(`create -> ready (the agent said ok): ${Date.now() - t0} ms`);
    const flv = await readFlv(created.agentUrl!);
    expect(flv.subarray(0, 3).toString('latin1')).toBe('FLV');
    expect(hasVideoTag(flv)).toBe(true);

    // The room got the dashboard's control idle timeout: taken control goes idle within seconds
    // (the agent's default would keep it for 5 minutes).
    const auth = { authorization: `Bearer ${await token(spec.id)}` };
    const took = await fetch(`${created.agentUrl}/control/take`, { method: 'POST', headers: auth });
    expect(took.status).toBe(200);
    await expect
      .poll(
        async () => {
          const state = (await (await fetch(`${created.agentUrl}/state`, { headers: auth })).json()) as {
            controlChanges: { reason: string }[];
          };
          return state.controlChanges.map((c) => c.reason);
        },
        { timeout: 10_000, interval: 250 },
      )
      .toEqual(['take', 'idle']);

    // A second driver on the same instance is a restarted dashboard: it finds the room from labels alone.
    const second = driver();
    await second.init();
    const listed = await second.list();
    expect(listed).toEqual([{ spec, status: 'ready', agentUrl: created.agentUrl }]);
    expect(await second.get(spec.id)).toEqual(listed[0]);
    expect(hasVideoTag(await readFlv(listed[0]!.agentUrl!))).toBe(true);

    // A dashboard of another instance sees nothing of it.
    const stranger = createDockerDriver({
      publicKeyPem,
      instance: `${instance}-other`,
      network,
      log: pino({ level: 'silent' }),
    });
    expect(await stranger.list()).toEqual([]);

    // Killed behind the dashboard's back: failed, and why in the engine's words (the die event's exit code)
    const [container] = await docker.listContainers({ filters: { label: labelFilter(instance, spec.id) } });
    await docker.getContainer(container!.Id).kill({ signal: 'SIGKILL' });
    await expect.poll(async () => (await second.get(spec.id))?.status, { timeout: 10_000 }).toBe('failed');
    expect(await second.get(spec.id)).toMatchObject({
      agentUrl: null,
      failure: 'the container exited with code 137 (SIGKILL)',
    });

    const t1 = Date.now();
    await second.delete(spec.id);
    console.log(`delete: ${Date.now() - t1} ms`);
    expect(await docker.listContainers({ all: true, filters: { label: labelFilter(instance) } })).toEqual([]);
    expect(await first.get(spec.id)).toBeNull();
    await second.delete(spec.id); // unknown id: a no-op
    await expect.poll(() => statuses.at(-1)).toBe('stopping');
  }, 120_000);
});
