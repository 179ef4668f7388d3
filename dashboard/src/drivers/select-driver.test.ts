import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../config.js';
import type { RoomDriver } from '../rooms/room-driver.js';
import type { DriverOptions } from './driver-options.js';
import { loadDockerModule, selectDriver, type DockerDriverModule } from './select-driver.js';

const config = loadDashboardConfig({ BOXROOM_DOCKER_IMAGE: 'img', BOXROOM_CONTROL_IDLE_S: '42' });
const opts: DriverOptions = {
  log: pino({ level: 'silent' }),
  dataDir: '/tmp/none',
  publicKeyPem: 'PEM',
  publicKeyFile: '/tmp/none/pub.pem',
  room: config.rooms,
  env: {},
};
const docker = config.docker;
const local = { agentEntry: null, displayBase: 100 };

function fakeDocker(usable: boolean, seen: Array<Record<string, unknown>> = []): DockerDriverModule {
  return {
    createDockerDriver: (o) => {
      seen.push(o);
      return Object.assign(new EventEmitter(), { kind: 'docker' }) as unknown as RoomDriver;
    },
    dockerUsable: async () => usable,
    dockerOptionsFromConfig: (c) => ({ image: c.image }),
  };
}

describe('selectDriver', () => {
  it('local when asked, without even loading docker', async () => {
    let loaded = false;
    const d = await selectDriver({
      choice: 'local',
      opts,
      local,
      docker,
      loadDocker: async () => ((loaded = true), fakeDocker(true)),
    });
    expect(d.kind).toBe('local');
    expect(loaded).toBe(false);
  });

  it("auto: docker when its module exists and is usable, with its settings and the rooms' merged", async () => {
    const seen: Array<Record<string, unknown>> = [];
    const d = await selectDriver({
      choice: 'auto',
      opts,
      local,
      docker,
      loadDocker: async () => fakeDocker(true, seen),
    });
    expect(d.kind).toBe('docker');
    expect(seen[0]).toMatchObject({
      image: 'img',
      publicKeyPem: 'PEM',
      dataDir: '/tmp/none',
      room: { controlIdleS: 42 },
    });
  });

  it('auto: local when docker is missing or unusable', async () => {
    expect(
      (await selectDriver({ choice: 'auto', opts, local, docker, loadDocker: async () => null })).kind,
    ).toBe('local');
    expect(
      (await selectDriver({ choice: 'auto', opts, local, docker, loadDocker: async () => fakeDocker(false) }))
        .kind,
    ).toBe('local');
  });

  it('docker: fails loudly when it cannot be had', async () => {
    await expect(
      selectDriver({ choice: 'docker', opts, local, docker, loadDocker: async () => null }),
    ).rejects.toThrow(/no docker driver/);
    await expect(
      selectDriver({ choice: 'docker', opts, local, docker, loadDocker: async () => fakeDocker(false) }),
    ).rejects.toThrow(/not usable/);
  });

  it('the real lazy import finds drivers/docker/index.ts when it exists, and never throws', async () => {
    const mod = await loadDockerModule(opts.log);
    if (mod) expect(typeof mod.createDockerDriver).toBe('function');
  });

  it('swarm: its own driver with the docker image, instance and limits and its own settings, never loading docker', async () => {
    let loaded = false;
    const swarmConfig = loadDashboardConfig({
      BOXROOM_DOCKER_INSTANCE: 'prod',
      BOXROOM_SWARM_NETWORK: 'overlay-1',
      BOXROOM_SWARM_MAX_ROOMS_PER_NODE: '3',
    });
    const d = await selectDriver({
      choice: 'swarm',
      opts,
      local,
      docker: swarmConfig.docker,
      swarm: swarmConfig.swarm,
      loadDocker: async () => ((loaded = true), fakeDocker(true)),
    });
    expect(d.kind).toBe('swarm');
    expect(loaded).toBe(false);
    await d.close();
  });
});
