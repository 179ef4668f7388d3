import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { loadDashboardConfig } from '../../config.js';
import { swarmOptionsFromConfig } from './from-config.js';
import { resolveSwarmOptions } from './options.js';
import { checkRoomsNetwork, roomsNetworkSpec, SwarmNetworkError } from './rooms-network.js';
import { SwarmEngine } from './swarm-engine.js';

describe('roomsNetworkSpec', () => {
  it('an internal attachable overlay by default setting, an ordinary one with egress open', () => {
    expect(roomsNetworkSpec('rooms', 'prod', 'none')).toEqual({
      Name: 'rooms',
      Driver: 'overlay',
      Attachable: true,
      Internal: true,
      CheckDuplicate: true,
      Labels: { 'io.boxroom.instance': 'prod' },
    });
    expect(roomsNetworkSpec('rooms', 'prod', 'open').Internal).toBe(false);
  });
});

describe('checkRoomsNetwork', () => {
  it('takes a network whose fence matches the setting', () => {
    expect(() => checkRoomsNetwork('rooms', { Internal: true }, 'none')).not.toThrow();
    expect(() => checkRoomsNetwork('rooms', { Internal: false }, 'open')).not.toThrow();
    expect(() => checkRoomsNetwork('rooms', {}, 'open')).not.toThrow();
  });

  it('refuses an open network under egress none, naming it and both ways out', () => {
    const err = (() => {
      try {
        checkRoomsNetwork('boxroom-rooms', { Internal: false }, 'none');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(SwarmNetworkError);
    expect(err!.message).toContain('boxroom-rooms is not internal');
    expect(err!.message).toContain('docker network rm boxroom-rooms');
    expect(err!.message).toContain('BOXROOM_SWARM_EGRESS=open');
  });

  it('refuses an internal network under egress open', () => {
    expect(() => checkRoomsNetwork('r', { Internal: true }, 'open')).toThrow(
      /r is internal .*BOXROOM_SWARM_EGRESS=open.*docker network rm r.*BOXROOM_SWARM_EGRESS=none/,
    );
  });
});

/** An engine that knows networks by name and answers as the Engine API does (404, 409). */
function engineWith(
  networks: Map<string, { Internal?: boolean }>,
  raceOnCreate: false | 'made' | 'made and removed' = false,
) {
  const created: Array<Record<string, unknown>> = [];
  const status = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });
  const docker = {
    getNetwork: (name: string) => ({
      inspect: () => {
        const n = networks.get(name);
        return n ? Promise.resolve(n) : Promise.reject(status(404));
      },
    }),
    createNetwork: (body: { Name: string; Internal: boolean }) => {
      if (raceOnCreate) {
        if (raceOnCreate === 'made') networks.set(body.Name, { Internal: false });
        return Promise.reject(status(409));
      }
      created.push(body);
      networks.set(body.Name, { Internal: body.Internal });
      return Promise.resolve({});
    },
  };
  return { engine: new SwarmEngine(docker as unknown as Docker, 'ci'), created };
}

describe('SwarmEngine.ensureOverlay', () => {
  it('creates the network internal when missing, then uses it', async () => {
    const { engine, created } = engineWith(new Map());
    expect(await engine.ensureOverlay('rooms', 'none')).toBe('created');
    expect(created[0]).toMatchObject({ Name: 'rooms', Internal: true, Attachable: true });
    expect(await engine.ensureOverlay('rooms', 'none')).toBe('exists');
  });

  it('stops at an existing network with the other fence', async () => {
    const { engine, created } = engineWith(new Map([['rooms', { Internal: false }]]));
    await expect(engine.ensureOverlay('rooms', 'none')).rejects.toThrow(SwarmNetworkError);
    expect(created).toEqual([]);
  });

  it('checks the network another dashboard made in the same moment', async () => {
    const { engine } = engineWith(new Map(), 'made');
    await expect(engine.ensureOverlay('rooms', 'none')).rejects.toThrow(/rooms is not internal/);
  });

  it('a network made and removed again while this one was created: the conflict, not a fence', async () => {
    const { engine } = engineWith(new Map(), 'made and removed');
    await expect(engine.ensureOverlay('rooms', 'none')).rejects.toThrow('HTTP 409');
  });
});

describe('BOXROOM_SWARM_EGRESS', () => {
  it('is none unless set, and reaches the driver options', () => {
    const d = loadDashboardConfig({});
    expect(
      resolveSwarmOptions({ ...swarmOptionsFromConfig(d.docker, d.swarm), publicKeyPem: 'k' }).egress,
    ).toBe('none');
    const o = loadDashboardConfig({ BOXROOM_SWARM_EGRESS: 'open' });
    expect(
      resolveSwarmOptions({ ...swarmOptionsFromConfig(o.docker, o.swarm), publicKeyPem: 'k' }).egress,
    ).toBe('open');
    expect(() => loadDashboardConfig({ BOXROOM_SWARM_EGRESS: 'some' })).toThrow();
  });
});
