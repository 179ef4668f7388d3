import {
  ENCODE_SECONDS_BUCKETS,
  GLASS_TO_GLASS_SECONDS_BUCKETS,
  type AgentHistogram,
  type AgentMetrics,
} from '@boxroom/contracts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TokenService } from '../auth/token-service.js';
import type { AgentClient } from '../rooms/agent-client.js';
import type { RoomSpec } from '../rooms/room-driver.js';
import { FakeDriver } from '../testing/fake-driver.js';
import { RoomSeries } from './room-series.js';

const histogram = (bounds: readonly number[]): AgentHistogram => ({
  bounds: [...bounds],
  counts: bounds.map(() => 1),
  count: 1,
  sum: 0.1,
});
const figures = (viewers: number): AgentMetrics => ({
  frames: 10,
  bytes: 100,
  bitrateBitsPerSecond: 800,
  viewers,
  viewersDropped: 0,
  inputEvents: 0,
  controllerPresent: false,
  encodeSeconds: histogram(ENCODE_SECONDS_BUCKETS),
  glassToGlassSeconds: histogram(GLASS_TO_GLASS_SECONDS_BUCKETS),
});
const spec = (id: string): RoomSpec => ({
  id,
  name: id,
  width: 640,
  height: 360,
  fps: 10,
  app: 'terminal',
  createdAt: 0,
  ownerId: 'operator',
});

/** Rooms whose agents answer with `answer(id)` (a promise that may never settle). */
function setup(answer: (id: string) => Promise<AgentMetrics>, budgetMs = 5_000) {
  const driver = new FakeDriver('http://127.0.0.1:1');
  let lists = 0;
  const list = driver.list.bind(driver);
  driver.list = () => {
    lists++;
    return list();
  };
  const registry = new Registry();
  const agent = { metrics: (id: string) => answer(id) } as unknown as AgentClient;
  const tokens = { issueForAgent: async () => 'token' } as unknown as TokenService;
  const series = new RoomSeries({
    registry,
    driver,
    agent,
    tokens,
    log: pino({ level: 'silent' }),
    budgetMs,
  });
  const viewers = async () =>
    (await registry.metrics()).split('\n').filter((l) => l.startsWith('boxroom_room_viewers{'));
  return { driver, registry, series, viewers, lists: () => lists };
}

describe('RoomSeries', () => {
  it('renders what arrived within the budget, however long a silent agent takes', async () => {
    const t = setup(
      (id) => (id === 'slow' ? new Promise(() => undefined) : Promise.resolve(figures(2))),
      200,
    );
    await t.driver.create(spec('fast'));
    await t.driver.create(spec('slow'));
    const started = Date.now();
    await t.series.refresh();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await t.viewers()).toEqual(['boxroom_room_viewers{room="fast"} 2']);
  });

  it("renders an agent's histogram only when its buckets are the contract's", async () => {
    const odd = { ...figures(1), encodeSeconds: histogram([0.001, 1]) };
    const t = setup(async (id) => (id === 'odd' ? odd : figures(1)));
    await t.driver.create(spec('good'));
    await t.driver.create(spec('odd'));
    await t.series.refresh();
    const counts = (await t.registry.metrics()).split('\n').filter((l) => /_seconds_count\{/.test(l));
    expect(counts).toEqual([
      'boxroom_room_encode_seconds_count{room="good"} 1',
      'boxroom_room_glass_to_glass_seconds_count{room="good"} 1',
      'boxroom_room_glass_to_glass_seconds_count{room="odd"} 1',
    ]);
    expect(await t.viewers()).toHaveLength(2); // the rest of its figures stay
  });

  it('shares one refresh between concurrent scrapes', async () => {
    const t = setup(async () => figures(1));
    await t.driver.create(spec('r1'));
    await Promise.all([t.series.refresh(), t.series.refresh(), t.series.refresh()]);
    expect(t.lists()).toBe(1);
    await t.series.refresh(); // the next scrape asks again
    expect(t.lists()).toBe(2);
  });
});
