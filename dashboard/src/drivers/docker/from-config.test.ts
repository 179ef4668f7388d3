import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../../config.js';
import { dockerOptionsFromConfig } from './from-config.js';

const fromEnv = (env: Record<string, string>) => dockerOptionsFromConfig(loadDashboardConfig(env).docker);

describe('dockerOptionsFromConfig', () => {
  it('defaults to a published loopback agent port and default limits', () => {
    expect(fromEnv({})).toEqual({
      image: 'boxroom/room:latest',
      instance: 'default',
      network: 'boxroom-rooms',
      publishHost: '127.0.0.1',
      agentAddress: 'published',
      firewall: 'auto',
      egressAllow: [],
      limits: { nanoCpus: 1e9, memoryBytes: 1024 * 1024 * 1024, shmBytes: 256 * 1024 * 1024 },
    });
  });

  it('reads every setting', () => {
    expect(
      fromEnv({
        BOXROOM_DOCKER_IMAGE: 'boxroom/room:1.2',
        BOXROOM_DOCKER_INSTANCE: 'prod',
        BOXROOM_DOCKER_NETWORK: 'boxroom-rooms',
        BOXROOM_DOCKER_AGENT_ADDRESS: 'container',
        BOXROOM_DOCKER_PUBLISH_HOST: '127.0.0.2',
        BOXROOM_ROOM_CPUS: '1.5',
        BOXROOM_ROOM_MEMORY_MB: '2048',
        BOXROOM_ROOM_SHM_MB: '512',
        BOXROOM_ROOM_FIREWALL: 'off',
        BOXROOM_ROOM_EGRESS_ALLOW: '10.1.0.0/16, db.internal:5432',
      }),
    ).toEqual({
      image: 'boxroom/room:1.2',
      instance: 'prod',
      network: 'boxroom-rooms',
      publishHost: '127.0.0.2',
      agentAddress: 'container',
      firewall: 'off',
      egressAllow: [
        { host: '10.1.0.0', prefix: 16 },
        { host: 'db.internal', port: 5432 },
      ],
      limits: { nanoCpus: 1.5e9, memoryBytes: 2048 * 1024 * 1024, shmBytes: 512 * 1024 * 1024 },
    });
  });

  it('takes what a process read and no more (the janitor reads the instance only)', () => {
    expect(dockerOptionsFromConfig({ instance: 'prod' })).toEqual({ instance: 'prod' });
  });

  it('refuses bad values', () => {
    expect(() => fromEnv({ BOXROOM_DOCKER_AGENT_ADDRESS: 'dns' })).toThrow(/AGENT_ADDRESS/);
    expect(() => fromEnv({ BOXROOM_ROOM_CPUS: 'lots' })).toThrow(/CPUS/);
    expect(() => fromEnv({ BOXROOM_ROOM_MEMORY_MB: '64' })).toThrow(/MEMORY/);
    expect(() => fromEnv({ BOXROOM_ROOM_FIREWALL: 'on' })).toThrow(/FIREWALL/);
    expect(() => fromEnv({ BOXROOM_ROOM_EGRESS_ALLOW: '10.0.0.0/33' })).toThrow(
      /BOXROOM_ROOM_EGRESS_ALLOW: "10.0.0.0\/33"/,
    );
  });
});
