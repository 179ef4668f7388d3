import { describe, expect, it } from 'vitest';
import { containerSummary, ROOM_SPEC } from '../../testing/container-summary.js';
import { resolveOptions } from './options.js';
import { recordFromSummary, statusFromEvent, statusFromSummary } from './room-status.js';

const spec = ROOM_SPEC;
const summary = containerSummary;

describe('room status', () => {
  it('reads health from the list entry', () => {
    expect(statusFromSummary('running', 'Up 2 seconds (health: starting)')).toBe('starting');
    expect(statusFromSummary('running', 'Up 5 minutes (healthy)')).toBe('ready');
    expect(statusFromSummary('running', 'Up 1 minute (unhealthy)')).toBe('failed');
    expect(statusFromSummary('created', 'Created')).toBe('starting');
    expect(statusFromSummary('removing', 'Removal In Progress')).toBe('stopping');
    expect(statusFromSummary('exited', 'Exited (1) 3 seconds ago')).toBe('failed');
  });

  it('a running room whose agent already said ready is ready before the first healthcheck', () => {
    expect(statusFromSummary('running', 'Up 1 second (health: starting)', true)).toBe('ready');
    // the engine's verdict wins once it has one; a container not running is not made ready
    expect(statusFromSummary('running', 'Up 9 seconds (unhealthy)', true)).toBe('failed');
    expect(statusFromSummary('created', 'Created', true)).toBe('starting');
    expect(statusFromSummary('exited', 'Exited (1) 1 second ago', true)).toBe('failed');

    const o = resolveOptions({ publicKeyPem: 'k' });
    const port = { IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 49153, Type: 'tcp' };
    const starting = summary({ Status: 'Up 1 second (health: starting)', Ports: [port] });
    expect(recordFromSummary(starting, o)?.status).toBe('starting');
    expect(recordFromSummary(starting, o, (id) => id === 'r1')?.status).toBe('ready');
    expect(recordFromSummary(starting, o, (id) => id === 'other')?.status).toBe('starting');
    // no address yet: nobody can have asked the agent
    const unaddressed = summary({ Status: 'Up 1 second (health: starting)' });
    expect(recordFromSummary(unaddressed, o, () => true)?.status).toBe('starting');
  });

  it('maps engine events: while we delete, die and kill mean stopping and health nothing', () => {
    expect(statusFromEvent('start', false)).toBe('starting');
    expect(statusFromEvent('health_status: healthy', false)).toBe('ready');
    expect(statusFromEvent('health_status: unhealthy', false)).toBe('failed');
    expect(statusFromEvent('die', false)).toBe('failed');
    expect(statusFromEvent('die', true)).toBe('stopping');
    expect(statusFromEvent('health_status: unhealthy', true)).toBeNull();
    expect(statusFromEvent('health_status: healthy', true)).toBeNull();
    expect(statusFromEvent('kill', true)).toBe('stopping');
    // a restart or a mere signal by someone else: the die that may follow says failed
    expect(statusFromEvent('kill', false)).toBeNull();
    expect(statusFromEvent('destroy', false)).toBe('stopping');
    expect(statusFromEvent('destroy', true)).toBe('stopping');
    expect(statusFromEvent('exec_start: /opt/boxroom/healthcheck.sh', false)).toBeNull();
  });

  it('builds the record with the published loopback port', () => {
    const o = resolveOptions({ publicKeyPem: 'k' });
    const c = summary({ Ports: [{ IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 49153, Type: 'tcp' }] });
    expect(recordFromSummary(c, o)).toEqual({ spec, status: 'ready', agentUrl: 'http://127.0.0.1:49153' });
    expect(recordFromSummary(summary({ State: 'exited', Status: 'Exited (0)' }), o)).toEqual({
      spec,
      status: 'failed',
      agentUrl: null,
      failure: 'the container exited with code 0',
    });
    // a live room has no failure at all (not even null)
    expect(recordFromSummary(c, o)).not.toHaveProperty('failure');
  });

  it('builds the record with the container address on the rooms network', () => {
    const o = resolveOptions({ publicKeyPem: 'k', network: 'rooms', agentAddress: 'container' });
    const c = summary({ NetworkSettings: { Networks: { rooms: { IPAddress: '172.30.0.5' } as never } } });
    expect(recordFromSummary(c, o)?.agentUrl).toBe('http://172.30.0.5:9000');
  });

  it('ignores containers whose labels are not a room', () => {
    expect(
      recordFromSummary(
        summary({ Labels: { 'io.boxroom.instance': 'default' } }),
        resolveOptions({ publicKeyPem: 'k' }),
      ),
    ).toBeNull();
  });
});
