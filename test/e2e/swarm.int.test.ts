/**
 * The swarm driver on a real two-node swarm (test/support/swarm-cluster.ts): the dashboard runs as
 * a service on the manager with BOXROOM_DRIVER=swarm, rooms spread over both nodes, each streams
 * H.264 through the dashboard (HTTP-FLV, and the worker's room over WS too, through the dashboard's
 * relay); then the worker's engine stops: its room turns failed and is removed, the manager's keeps
 * streaming. Skipped, saying why, only on a machine that cannot run a
 * second engine (not root, no `ip`, no docker); the host engine is out of swarm mode afterwards.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../support/agent-helpers.js';
import {
  isAvcFrame,
  isAvcKeyframe,
  readFlvStream,
  readFlvWebSocket,
  waitForTag,
  type FlvReader,
} from '../support/flv-reader.js';
import { SwarmCluster, swarmClusterMissing } from '../support/swarm-cluster.js';
import { SwarmDashboard } from '../support/swarm-dashboard.js';

const run = promisify(execFile);
const missing = await swarmClusterMissing();
if (missing) console.warn(`swarm.int.test.ts skipped: ${missing}`);

const ROOM_IMAGE = process.env.ROOM_IMAGE || 'boxroom/room:latest';
const ADMIN_TOKEN = `swarm-admin-${randomBytes(12).toString('hex')}`;

interface Room {
  id: string;
  status: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
}

describe.skipIf(missing !== null)('swarm driver on two nodes', () => {
  const cluster = new SwarmCluster();
  const network = `${cluster.prefix}-rooms`;
  const docker = new Docker();
  const streams: IncomingMessage[] = [];
  const sockets: WebSocket[] = [];
  let dash: SwarmDashboard | undefined;
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (what: string) => (timings[what] = Date.now() - t0);

  const D = () => dash!;
  /** The node a room's task runs on (the engine's word, not the dashboard's). */
  const nodeOf = async (id: string): Promise<string | undefined> => {
    const tasks = (await docker.listTasks({ filters: { label: [`io.boxroom.room.id=${id}`] } })) as Array<{
      NodeID?: string;
    }>;
    return tasks[0]?.NodeID;
  };
  const viewerToken = async (r: Room): Promise<string> => {
    const invite = new URL(r.links.viewer).hash.replace('#invite=', '');
    const joined = await D().api<{ token: string }>('POST', `/api/rooms/${r.id}/join`, {
      invite,
      name: 'Vera',
    });
    expect(joined.status).toBe(200);
    return joined.body.token;
  };
  /** HTTP-FLV: proxied 1:1 by the dashboard to the agent. */
  const watch = async (r: Room): Promise<FlvReader> => {
    const token = await viewerToken(r);
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${D().url}/rooms/${r.id}/stream.flv?token=${token}`, resolve).on('error', reject),
    );
    expect(res.statusCode).toBe(200);
    streams.push(res);
    const reader = readFlvStream(res);
    await waitForTag(reader, isAvcKeyframe, 20_000);
    return reader;
  };
  /** WS-FLV: through the dashboard's relay, whose one upstream per room is the agent's WS /relay over the overlay. */
  const watchWs = async (r: Room): Promise<FlvReader> => {
    const token = await viewerToken(r);
    const ws = new WebSocket(`${D().url.replace('http', 'ws')}/rooms/${r.id}/stream?token=${token}`, {
      perMessageDeflate: false,
    });
    ws.on('error', () => {});
    sockets.push(ws);
    const reader = readFlvWebSocket(ws);
    await waitForTag(reader, isAvcKeyframe, 20_000);
    return reader;
  };

  beforeAll(async () => {
    await cluster.start();
    mark('cluster');
    await run('docker', ['network', 'create', '--driver', 'overlay', '--attachable', network]);
    // the dashboard runs on the manager, which has the images: it starts while the worker gets them
    const copying = cluster.copyImages([ROOM_IMAGE]);
    copying.catch(() => undefined); // awaited below; a dashboard that fails first must not leave it unhandled
    dash = await SwarmDashboard.start({
      prefix: cluster.prefix,
      network,
      roomImage: ROOM_IMAGE,
      adminToken: ADMIN_TOKEN,
      // a failed room goes at the next sweep (each second), not after the default 5 minutes
      env: { BOXROOM_FAILED_ROOM_GRACE_S: '0', BOXROOM_ROOM_POLL_MS: '1000' },
    });
    mark('dashboard');
    const [copied] = await copying;
    mark('image');
    console.info(`swarm.int: ${ROOM_IMAGE} copied to the worker in ${copied!.ms} ms`);
  }, 300_000);

  afterAll(async () => {
    for (const s of streams) s.destroy();
    for (const ws of sockets) ws.terminate();
    try {
      await dash?.dispose();
      mark('dashboard disposed');
    } finally {
      try {
        await cluster.dispose();
      } finally {
        const end = Date.now() - t0;
        console.info(`swarm.int timings (ms since start): ${JSON.stringify({ ...timings, end })}`);
        console.info(`swarm.int teardown (ms): ${JSON.stringify(cluster.teardownMs)}`);
      }
    }
  }, 180_000);

  it('spreads rooms over both nodes, streams from each, and fails and removes the rooms of a lost node', async () => {
    const rooms: Room[] = [];
    const nodes = new Set<string>();
    // fewest rooms first: two rooms land on two nodes; a few more at most if another create raced
    while (nodes.size < 2 && rooms.length < 4) {
      const created = await D().api<Room>('POST', '/api/rooms', { width: 640, height: 360, fps: 15 });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      rooms.push(created.body);
      const node = await until(() => nodeOf(created.body.id), 10_000, 'the room task placed');
      nodes.add(node);
    }
    expect(nodes).toEqual(new Set([cluster.manager!.id, cluster.worker!.id]));
    for (const r of rooms)
      await until(
        async () => (await D().api<Room>('GET', `/api/rooms/${r.id}`)).body.status === 'ready',
        90_000,
        `room ${r.id} ready`,
      ).catch(async (err: unknown) => {
        const tasks = await docker.listTasks({ filters: { label: [`io.boxroom.room.id=${r.id}`] } });
        const logs = (await D().logs()).split('\n').slice(-40).join('\n');
        throw new Error(
          `${(err as Error).message}: tasks ${JSON.stringify(tasks.map((t: { Status?: unknown }) => t.Status))}\n${logs}`,
        );
      });
    mark('rooms ready');
    const onWorker = (
      await Promise.all(rooms.map(async (r) => ((await nodeOf(r.id)) === cluster.worker!.id ? r : null)))
    ).find(Boolean)!;
    const onManager = (
      await Promise.all(rooms.map(async (r) => ((await nodeOf(r.id)) === cluster.manager!.id ? r : null)))
    ).find(Boolean)!;
    const workerStream = await watch(onWorker);
    // the worker's room over WS too: the relay's upstream crosses nodes on the overlay
    const workerRelayed = await watchWs(onWorker);
    const managerStream = await watch(onManager);
    expect(workerStream.failed).toBeNull();
    expect(workerRelayed.failed).toBeNull();
    mark('streaming');

    await cluster.stopWorker();
    mark('worker stopped');
    await until(
      async () => (await D().api<Room>('GET', `/api/rooms/${onWorker.id}`)).body.status === 'failed',
      30_000,
      'the lost node’s room to turn failed',
    );
    mark('lost room failed');
    await until(
      async () => (await D().api('GET', `/api/rooms/${onWorker.id}`)).status === 404,
      60_000,
      'the lost node’s room to be removed',
    );
    mark('lost room removed');
    const logs = await D().logs();
    expect(logs).toContain(`node ${cluster.workerHostname} is down`);
    expect(logs).toMatch(
      new RegExp(`"room":"${onWorker.id}".*"reason":"node ${cluster.workerHostname} is down"`),
    );

    // the other room kept streaming all along, and still does
    const before = managerStream.tags.length;
    await waitForTag(managerStream, (t) => isAvcFrame(t) && managerStream.tags.indexOf(t) >= before, 10_000);
    expect(managerStream.failed).toBeNull();
    expect((await D().api<Room>('GET', `/api/rooms/${onManager.id}`)).body.status).toBe('ready');
    mark('other room streams');
  }, 240_000);
});
