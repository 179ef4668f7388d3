import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../../config.js';
import type { RoomSpec } from '../../rooms/room-driver.js';
import { ROOM_SPEC } from '../../testing/container-summary.js';
import { toLabels } from '../docker/labels.js';
import { swarmOptionsFromConfig, SwarmConfigError } from './from-config.js';
import { resolveSwarmOptions } from './options.js';
import { agentUrlOf, roomServiceSpec, SWARM_FILES_DIR } from './service-spec.js';

const spec: RoomSpec = { ...ROOM_SPEC, id: 'abc123' };
const MB = 1024 * 1024;

describe('roomServiceSpec', () => {
  const o = resolveSwarmOptions({
    publicKeyPem: 'PEM',
    instance: 'ci',
    network: 'rooms-net',
    constraints: ['node.labels.rooms==yes'],
    reservations: { nanoCpus: 5e8, memoryBytes: 256 * MB },
  });
  const s = roomServiceSpec(spec, o, 'node-1');
  const container = s.TaskTemplate.ContainerSpec as Record<string, unknown>;

  it('one task, never restarted, pinned to the chosen node and the operator’s constraints, reached by name', () => {
    expect(s.Name).toBe('boxroom-ci-abc123');
    expect(s.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(s.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(s.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none', MaxAttempts: 0 });
    expect(s.TaskTemplate.Placement).toEqual({ Constraints: ['node.id==node-1', 'node.labels.rooms==yes'] });
    expect(s.TaskTemplate.Networks).toEqual([{ Target: 'rooms-net' }]);
    expect(agentUrlOf('ci', 'abc123')).toBe('http://boxroom-ci-abc123:9000');
  });

  it('labelled like the docker driver’s containers, service and containers both', () => {
    expect(s.Labels).toEqual(toLabels(spec, 'ci'));
    expect(container.Labels).toEqual(toLabels(spec, 'ci'));
  });

  it('the docker driver’s hardening where a ContainerSpec can say it', () => {
    expect(container).toMatchObject({
      Image: 'boxroom/room:latest',
      User: 'root',
      Init: true,
      ReadOnly: true,
      CapabilityDrop: ['ALL'],
      CapabilityAdd: ['CAP_CHOWN', 'CAP_FOWNER', 'CAP_SETUID', 'CAP_SETGID', 'CAP_KILL'],
      StopSignal: 'SIGTERM',
      StopGracePeriod: 10e9,
    });
    expect(container.Mounts).toEqual([
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 256 * MB, Mode: 0o1777 } },
      { Type: 'tmpfs', Target: '/run/room', TmpfsOptions: { SizeBytes: 256 * MB, Mode: 0o700 } },
      { Type: 'tmpfs', Target: '/run/boxroom-desktop', TmpfsOptions: { SizeBytes: 256 * MB, Mode: 0o755 } },
      { Type: 'tmpfs', Target: '/run/boxroom-files', TmpfsOptions: { SizeBytes: 256 * MB, Mode: 0o755 } },
      { Type: 'tmpfs', Target: '/dev/shm', TmpfsOptions: { SizeBytes: 256 * MB, Mode: 0o1777 } },
    ]);
    expect(container.Env).toContain('BOXROOM_PUBLIC_KEY=PEM');
    expect(container.Env).toContain(`BOXROOM_FILES_DIR=${SWARM_FILES_DIR}`);
    expect(container.Env).toContain('BOXROOM_ROOM_ID=abc123');
  });

  it('limits and reservations', () => {
    expect(s.TaskTemplate.Resources).toEqual({
      Limits: { NanoCPUs: 1e9, MemoryBytes: 1024 * MB, Pids: 1024 },
      Reservations: { NanoCPUs: 5e8, MemoryBytes: 256 * MB },
    });
  });
});

describe('swarmOptionsFromConfig', () => {
  it('takes image, instance and limits from the docker settings, the rest from its own', () => {
    const c = loadDashboardConfig({
      BOXROOM_DOCKER_IMAGE: 'img:1',
      BOXROOM_DOCKER_INSTANCE: 'prod',
      BOXROOM_ROOM_CPUS: '2',
      BOXROOM_ROOM_MEMORY_MB: '2048',
      BOXROOM_SWARM_NETWORK: 'overlay-1',
      BOXROOM_SWARM_CONSTRAINTS: 'node.role!=manager, node.labels.gpu==no',
      BOXROOM_SWARM_MAX_ROOMS_PER_NODE: '8',
      BOXROOM_SWARM_RESERVE_CPUS: '0.5',
      BOXROOM_SWARM_RESERVE_MEMORY_MB: '512',
    });
    const o = resolveSwarmOptions({ ...swarmOptionsFromConfig(c.docker, c.swarm), publicKeyPem: 'k' });
    expect(o).toMatchObject({
      image: 'img:1',
      instance: 'prod',
      network: 'overlay-1',
      constraints: ['node.role!=manager', 'node.labels.gpu==no'],
      maxRoomsPerNode: 8,
      limits: { nanoCpus: 2e9, memoryBytes: 2048 * MB },
      reservations: { nanoCpus: 5e8, memoryBytes: 512 * MB },
    });
  });

  it('refuses a constraint it cannot evaluate at start', () => {
    const c = loadDashboardConfig({ BOXROOM_SWARM_CONSTRAINTS: 'node.ip==10.0.0.1' });
    expect(() => swarmOptionsFromConfig(c.docker, c.swarm)).toThrow(SwarmConfigError);
    const d = loadDashboardConfig({ BOXROOM_SWARM_CONSTRAINTS: 'node.role' });
    expect(() => swarmOptionsFromConfig(d.docker, d.swarm)).toThrow(/not <attribute>==<value>/);
  });
});
