import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomStatus } from '../../rooms/room-driver.js';
import { containerSummary } from '../../testing/container-summary.js';
import { fakeDockerEngine } from '../../testing/fake-docker-engine.js';
import { OUT_OF_MEMORY } from './container-failure.js';
import { DockerRoomDriver } from './docker-driver.js';
import { resolveOptions } from './options.js';

interface LogLine {
  msg: string;
  room?: string;
  from?: string;
  to?: string;
}

/** A driver over a fake engine holding room r1 (running, healthy), with its announcements and warnings. */
async function setup() {
  const { engine, docker } = fakeDockerEngine(containerSummary());
  const logs: LogLine[] = [];
  const log = pino({ level: 'warn' }, { write: (l: string) => void logs.push(JSON.parse(l) as LogLine) });
  const driver = new DockerRoomDriver(docker, resolveOptions({ publicKeyPem: 'x' }), log);
  await driver.init();
  const announced: RoomStatus[] = [];
  driver.on('status', (id, s) => id === 'r1' && announced.push(s));
  /** the engine's events, then a turn for the driver to read them */
  const events = async (...actions: string[]) => {
    for (const a of actions) engine.event(a, 'r1');
    await new Promise((r) => setTimeout(r, 20));
  };
  const refusals = () => logs.filter((l) => l.msg === 'illegal room status move refused');
  return { engine, driver, announced, events, refusals };
}

describe('docker driver status moves', () => {
  const drivers: DockerRoomDriver[] = [];
  afterEach(async () => {
    for (const d of drivers.splice(0)) await d.close();
  });

  it('a container restarted by someone else fails and comes back: kill alone changes nothing', async () => {
    const s = await setup();
    drivers.push(s.driver);
    await s.events('kill', 'die', 'start', 'health_status: healthy');
    expect(s.announced).toEqual(['failed', 'starting', 'ready']);
    // an unhealthy room whose healthcheck recovers is ready again
    await s.events('health_status: unhealthy', 'health_status: healthy');
    expect(s.announced.slice(3)).toEqual(['failed', 'ready']);
    expect(s.refusals()).toEqual([]);
  });

  it('a room being deleted stays stopping: late engine events are refused and logged', async () => {
    const s = await setup();
    drivers.push(s.driver);
    await s.driver.delete('r1');
    expect(s.announced).toEqual(['stopping']);
    // the delete's own events, read after delete() returned, are part of it: no failure, no refusal
    await s.events('health_status: unhealthy', 'kill', 'die', 'health_status: healthy');
    expect(s.refusals()).toEqual([]);
    // events that would bring it back (no destroy seen yet) are refused
    await s.events('create', 'start');
    expect(s.announced).toEqual(['stopping']);
    expect(s.refusals()).toEqual([
      expect.objectContaining({ room: 'r1', from: 'stopping', to: 'starting' }),
      expect.objectContaining({ room: 'r1', from: 'stopping', to: 'starting' }),
    ]);
    // nor did the cache the driver serves from when the engine stops answering
    s.engine.hung = true;
    expect(await s.driver.get('r1')).toMatchObject({ status: 'stopping', stale: true });
  });

  it('a failed room says why: the exit code at once, out of memory after an inspect; recovered, nothing', async () => {
    const s = await setup();
    drivers.push(s.driver);
    const exited = containerSummary({ State: 'exited', Status: 'Exited (137) 1 second ago' });
    const oomed = { State: { Status: 'exited', ExitCode: 137, OOMKilled: true } };
    s.engine.listed = [exited];
    // the die's exit code is known before any inspect answers
    let inspect: (v: object) => void = () => {};
    s.engine.inspected = { then: (r: (v: object) => void) => (inspect = r) };
    s.engine.event('die', 'r1', { exitCode: '137' });
    await new Promise((r) => setTimeout(r, 20));
    expect(s.announced).toEqual(['failed']);
    s.engine.hung = true; // the cache, as the event left it
    expect(await s.driver.get('r1')).toMatchObject({
      status: 'failed',
      failure: 'the container exited with code 137 (SIGKILL)',
      stale: true,
    });
    s.engine.hung = false;
    inspect(oomed);
    await new Promise((r) => setTimeout(r, 20));
    expect(await s.driver.get('r1')).toMatchObject({ status: 'failed', failure: OUT_OF_MEMORY });
    expect(await s.driver.list()).toMatchObject([{ failure: OUT_OF_MEMORY }]);
    // started again and healthy: no failure left, in the engine's answer or the cache
    s.engine.listed = [containerSummary()];
    await s.events('start', 'health_status: healthy');
    expect(await s.driver.get('r1')).not.toHaveProperty('failure');
    s.engine.hung = true;
    expect(await s.driver.get('r1')).not.toHaveProperty('failure');
  });

  it('an inspect that answers after the room came back is not kept as the next failure', async () => {
    const s = await setup();
    drivers.push(s.driver);
    let inspect: (v: object) => void = () => {};
    s.engine.inspected = { then: (r: (v: object) => void) => (inspect = r) };
    s.engine.event('die', 'r1', { exitCode: '137' });
    // started again and healthy before the engine answered the failed room's inspect
    await s.events('start', 'health_status: healthy');
    inspect({ State: { Status: 'exited', ExitCode: 137, OOMKilled: true } });
    await new Promise((r) => setTimeout(r, 20));
    // it fails again, seen in a list only (the event stream missed it): this exit, not the old one
    s.engine.inspected = { State: { Status: 'exited', ExitCode: 1 } };
    s.engine.listed = [containerSummary({ State: 'exited', Status: 'Exited (1) 1 second ago' })];
    expect(await s.driver.get('r1')).toMatchObject({
      status: 'failed',
      failure: 'the container exited with code 1',
    });
  });

  it('a reason is forgotten with its room when a list no longer has it failed (no event said so)', async () => {
    const s = await setup();
    drivers.push(s.driver);
    s.engine.inspected = { State: { Status: 'exited', ExitCode: 137, OOMKilled: true } };
    s.engine.listed = [containerSummary({ State: 'exited', Status: 'Exited (137) 1 second ago' })];
    s.engine.event('die', 'r1', { exitCode: '137' });
    await new Promise((r) => setTimeout(r, 20));
    expect(await s.driver.get('r1')).toMatchObject({ failure: OUT_OF_MEMORY });
    // removed behind the driver's back, its destroy event missed: the next list forgets the reason
    s.engine.listed = [];
    expect(await s.driver.list()).toEqual([]);
    // a container of that id fails again, listed before any event: its own exit, freshly inspected
    s.engine.inspected = { State: { Status: 'exited', ExitCode: 1 } };
    s.engine.listed = [containerSummary({ State: 'exited', Status: 'Exited (1) 1 second ago' })];
    expect(await s.driver.get('r1')).toMatchObject({ failure: 'the container exited with code 1' });
  });

  it('a dashboard restarted beside a failed container learns why with one inspect', async () => {
    const { engine, docker } = fakeDockerEngine(
      containerSummary({ State: 'running', Status: 'Up 2 minutes (unhealthy)' }),
    );
    engine.inspected = {
      State: {
        Status: 'running',
        Health: { Status: 'unhealthy', Log: [{ ExitCode: 1, Output: 'agent /healthz: 503\n' }] },
      },
    };
    const driver = new DockerRoomDriver(
      docker,
      resolveOptions({ publicKeyPem: 'x' }),
      pino({ level: 'silent' }),
    );
    drivers.push(driver);
    await driver.init();
    expect(await driver.get('r1')).toMatchObject({
      status: 'failed',
      failure: "the room agent's healthcheck failed: agent /healthz: 503",
    });
  });

  it('once the container is destroyed the room is forgotten: a new one of that id starts afresh', async () => {
    const s = await setup();
    drivers.push(s.driver);
    await s.events('destroy', 'create', 'start');
    expect(s.announced).toEqual(['stopping', 'starting']);
    expect(s.refusals()).toEqual([]);
  });
});
