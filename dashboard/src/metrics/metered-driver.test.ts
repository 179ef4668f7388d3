import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../http/metrics.js';
import type { DriverEvents, RoomDriver, RoomRecord, RoomSpec } from '../rooms/room-driver.js';
import { MeteredDriver } from './metered-driver.js';

/** A driver whose create() takes 2 s of the test's clock, or fails for rooms named "bad". */
class SteppedDriver extends EventEmitter<DriverEvents> implements RoomDriver {
  readonly kind = 'local' as const;
  constructor(private readonly clock: { now: number }) {
    super();
  }
  init = async () => undefined;
  list = async () => [];
  get = async () => null;
  delete = async () => undefined;
  close = async () => undefined;
  async create(spec: RoomSpec): Promise<RoomRecord> {
    this.clock.now += 2000;
    if (spec.name === 'bad') throw new Error('no room for you');
    return { spec, status: 'starting', agentUrl: null };
  }
}

const spec = (id: string, name = id) => ({ id, name }) as RoomSpec;
const sample = async (m: Metrics, line: string) =>
  (await m.render())
    .split('\n')
    .find((l) => l.startsWith(`${line} `))
    ?.split(' ')[1];

describe('MeteredDriver', () => {
  it('times create and ready, counts failures by stage, and relays status events', async () => {
    const clock = { now: 1_000_000 };
    const inner = new SteppedDriver(clock);
    const metrics = new Metrics();
    const driver = new MeteredDriver(inner, metrics, () => clock.now);
    const seen: string[] = [];
    driver.on('status', (id, status) => seen.push(`${id}:${status}`));

    await driver.create(spec('a'));
    clock.now += 3000;
    inner.emit('status', 'a', 'ready');
    await driver.create(spec('b'));
    inner.emit('status', 'b', 'failed');
    await expect(driver.create(spec('c', 'bad'))).rejects.toThrow('no room for you');
    inner.emit('status', 'a', 'ready'); // a second ready is no second observation

    expect(seen).toEqual(['a:ready', 'b:failed', 'a:ready']);
    expect(await sample(metrics, 'boxroom_driver_create_seconds_count{driver="local"}')).toBe('2');
    expect(await sample(metrics, 'boxroom_driver_create_seconds_sum{driver="local"}')).toBe('4');
    expect(await sample(metrics, 'boxroom_driver_ready_seconds_count{driver="local"}')).toBe('1');
    expect(await sample(metrics, 'boxroom_driver_ready_seconds_sum{driver="local"}')).toBe('5');
    expect(await sample(metrics, 'boxroom_driver_failures_total{driver="local",stage="create"}')).toBe('1');
    expect(await sample(metrics, 'boxroom_driver_failures_total{driver="local",stage="start"}')).toBe('1');

    driver.detach();
    expect(inner.listenerCount('status')).toBe(0);
  });

  it("passes the driver's optional parts through: profile storage and health", () => {
    const inner = new SteppedDriver({ now: 0 });
    const storage = {} as NonNullable<RoomDriver['profiles']>;
    Object.assign(inner, { profiles: storage, health: () => ({ engine: 'ok', unresponsiveSince: null }) });
    const driver = new MeteredDriver(inner, new Metrics());
    expect(driver.profiles).toBe(storage);
    expect(driver.health?.()).toEqual({ engine: 'ok', unresponsiveSince: null });
    expect(new MeteredDriver(new SteppedDriver({ now: 0 }), new Metrics()).profiles).toBeUndefined();
  });
});
