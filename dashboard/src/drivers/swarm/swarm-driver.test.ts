import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ROOM_SPEC } from '../../testing/container-summary.js';
import type { RoomStatus } from '../../rooms/room-driver.js';
import { ENGINE_DEADLINE_MS } from '../docker/engine-deadline.js';
import { resolveSwarmOptions } from './options.js';
import type { SwarmNodeInfo } from './placement.js';
import type { RoomServiceSpec } from './service-spec.js';
import { SwarmRoomDriver } from './swarm-driver.js';
import { SwarmEngine } from './swarm-engine.js';
import type { SwarmServiceInfo, SwarmTaskInfo } from './task-status.js';

const node = (ID: string, State = 'ready'): SwarmNodeInfo => ({
  ID,
  Spec: { Role: 'worker', Availability: 'active' },
  Description: { Hostname: `host-${ID}` },
  Status: { State },
});

/** A swarm manager in memory: services become one task each, on the node their spec pins. */
function fakeManager(nodes: SwarmNodeInfo[]) {
  const services: SwarmServiceInfo[] = [];
  const tasks: SwarmTaskInfo[] = [];
  const streams: PassThrough[] = [];
  const m = { hung: false, taskState: 'running' };
  const answer = <T>(v: () => T, o?: { abortSignal?: AbortSignal }): Promise<T> =>
    m.hung
      ? new Promise((_, reject) =>
          o?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
        )
      : Promise.resolve(v());
  const byLabel = (labels: Record<string, string> | undefined, filter: string[]) =>
    filter.every((f) => {
      const [k, v] = f.split('=');
      return labels?.[k!] === v;
    });
  const docker = {
    listNodes: (o: { abortSignal?: AbortSignal }) => answer(() => nodes, o),
    listServices: (o: { filters: { label: string[] }; abortSignal?: AbortSignal }) =>
      answer(() => services.filter((s) => byLabel(s.Spec?.Labels, o.filters.label)), o),
    listTasks: (o: { filters: { label: string[] }; abortSignal?: AbortSignal }) =>
      answer(
        () =>
          tasks
            .filter((t) => byLabel(services.find((s) => s.ID === t.ServiceID)?.Spec?.Labels, o.filters.label))
            .map((t) => ({ ...t, Status: { State: m.taskState } })),
        o,
      ),
    createService: (spec: RoomServiceSpec & { abortSignal?: AbortSignal }) =>
      answer(() => {
        const ID = `svc-${services.length}`;
        services.push({ ID, Spec: { Name: spec.Name, Labels: spec.Labels } });
        const pinned = (spec.TaskTemplate.Placement as { Constraints: string[] }).Constraints[0]!;
        tasks.push({
          ID: `t-${ID}`,
          ServiceID: ID,
          NodeID: pinned.slice('node.id=='.length),
          DesiredState: 'running',
        });
        return { id: ID };
      }, spec),
    getService: (id: string) => ({
      remove: () => {
        services.splice(
          services.findIndex((s) => s.ID === id),
          1,
        );
        tasks.splice(
          tasks.findIndex((t) => t.ServiceID === id),
          1,
        );
        return Promise.resolve();
      },
    }),
    getNetwork: () => ({ inspect: () => Promise.resolve({ Internal: true }) }),
    getEvents: () => {
      const s = new PassThrough();
      streams.push(s);
      return Promise.resolve(s);
    },
  };
  const event = (e: object) => {
    for (const s of streams) s.write(`${JSON.stringify(e)}\n`);
  };
  return { m, docker: docker as unknown as Docker, event, services, tasks };
}

function driverOn(nodes: SwarmNodeInfo[], maxRoomsPerNode = 0) {
  const f = fakeManager(nodes);
  const o = resolveSwarmOptions({ publicKeyPem: 'k', instance: 'ci', maxRoomsPerNode });
  const driver = new SwarmRoomDriver(new SwarmEngine(f.docker, 'ci'), o, pino({ level: 'silent' }));
  const statuses: Array<[string, RoomStatus]> = [];
  driver.on('status', (id, s) => statuses.push([id, s]));
  return { ...f, driver, statuses };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('swarm driver', () => {
  it('spreads rooms over nodes by their room count, and answers 503 when the cap leaves none', async () => {
    const { driver, services } = driverOn([node('b'), node('a')], 1);
    await driver.init();
    expect(await driver.create({ ...ROOM_SPEC, id: 'r1' })).toMatchObject({
      status: 'ready',
      agentUrl: 'http://boxroom-ci-r1:9000',
    });
    await driver.create({ ...ROOM_SPEC, id: 'r2' });
    expect(services.map((s) => s.Spec?.Name)).toEqual(['boxroom-ci-r1', 'boxroom-ci-r2']);
    await expect(driver.create({ ...ROOM_SPEC, id: 'r3' })).rejects.toMatchObject({
      status: 503,
      message: expect.stringMatching(/every eligible swarm node holds 1 rooms already/),
    });
    await driver.close();
  });

  it('places concurrent creates one at a time: a cap of 1 on two nodes puts them on different nodes', async () => {
    const { driver, tasks } = driverOn([node('a'), node('b')], 1);
    await driver.init();
    await Promise.all([driver.create({ ...ROOM_SPEC, id: 'r1' }), driver.create({ ...ROOM_SPEC, id: 'r2' })]);
    expect(tasks.map((t) => t.NodeID).sort()).toEqual(['a', 'b']);
    await driver.close();
  });

  it('a node going down fails its rooms at once, the other node’s stay as they are', async () => {
    const { driver, event, statuses } = driverOn([node('a'), node('b')]);
    await driver.init();
    await driver.create({ ...ROOM_SPEC, id: 'r1' }); // on a
    await driver.create({ ...ROOM_SPEC, id: 'r2' }); // on b
    event({
      Type: 'node',
      Action: 'update',
      Actor: { ID: 'b', Attributes: { name: 'host-b', 'state.new': 'down' } },
    });
    await tick();
    expect(statuses).toContainEqual(['r2', 'failed']);
    expect(statuses).not.toContainEqual(['r1', 'failed']);
    // and it stays failed though its task still says running (the manager has no word from it)
    expect(await driver.get('r2')).toMatchObject({
      status: 'failed',
      agentUrl: null,
      failure: 'node host-b is down',
    });
    expect(await driver.get('r1')).toMatchObject({ status: 'ready' });
    expect(await driver.get('r1')).not.toHaveProperty('failure');
    await driver.close();
  });

  it('a service event re-reads that room: a failed task fails it', async () => {
    const { driver, event, statuses, m } = driverOn([node('a')]);
    await driver.init();
    await driver.create({ ...ROOM_SPEC, id: 'r1' });
    m.taskState = 'failed';
    event({
      Type: 'service',
      Action: 'update',
      Actor: { ID: 'svc-0', Attributes: { name: 'boxroom-ci-r1' } },
    });
    await tick();
    expect(statuses).toContainEqual(['r1', 'failed']);
    expect(await driver.get('r1')).toMatchObject({ status: 'failed', failure: 'task failed' });
    await driver.close();
  });

  it('a manager that stops answering: rooms from the cache, marked stale, after one deadline', async () => {
    const { driver, m } = driverOn([node('a')]);
    await driver.init();
    await driver.create({ ...ROOM_SPEC, id: 'r1' });
    await driver.list();
    m.hung = true;
    const t0 = performance.now();
    expect(await driver.list()).toMatchObject([{ spec: { id: 'r1' }, status: 'ready', stale: true }]);
    expect(performance.now() - t0).toBeLessThan(ENGINE_DEADLINE_MS.list + 500);
    expect(driver.health().engine).toBe('unresponsive');
    m.hung = false;
    await driver.list();
    await tick();
    expect(driver.health().engine).toBe('ok');
    await driver.close();
  }, 10_000);
});
