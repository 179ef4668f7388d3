import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { containerSummary, ROOM_SPEC } from '../../testing/container-summary.js';
import { fakeDockerEngine } from '../../testing/fake-docker-engine.js';
import { DockerRoomDriver } from './docker-driver.js';
import { ENGINE_DEADLINE_MS, EngineTimeout, withDeadline } from './engine-deadline.js';
import { resolveOptions } from './options.js';

const spec = ROOM_SPEC;
const container = containerSummary({
  Ports: [{ IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 41000, Type: 'tcp' }],
});

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await p;
  return [v, performance.now() - t0];
}

describe('withDeadline', () => {
  it('rejects with EngineTimeout and aborts the call once the deadline passes', async () => {
    let signal: AbortSignal | undefined;
    const p = withDeadline('list', 50, (s) => {
      signal = s;
      return new Promise(() => undefined);
    });
    await expect(p).rejects.toBeInstanceOf(EngineTimeout);
    await expect(p).rejects.toMatchObject({ code: 'unavailable', status: 503 });
    expect(signal?.aborted).toBe(true);
  });

  it('passes answers and the call’s own errors through', async () => {
    expect(await withDeadline('x', 1000, async () => 7)).toBe(7);
    await expect(withDeadline('x', 1000, async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
  });
});

describe('docker driver with an engine that stops answering', () => {
  it('serves rooms from the cache, marked stale, and recovers when the engine answers again', async () => {
    const { engine, docker } = fakeDockerEngine(container);
    const driver = new DockerRoomDriver(
      docker,
      resolveOptions({ publicKeyPem: 'x' }),
      pino({ level: 'silent' }),
    );
    await driver.init();
    expect((await driver.list()).map((r) => [r.spec.id, r.status, r.stale])).toEqual([
      ['r1', 'ready', undefined],
    ]);
    expect(driver.health()).toEqual({ engine: 'ok', unresponsiveSince: null });

    engine.hung = true;
    const [first, ms] = await timed(driver.list());
    // one wait for the deadline, no longer
    expect(ms).toBeGreaterThanOrEqual(ENGINE_DEADLINE_MS.list - 20);
    expect(ms).toBeLessThan(ENGINE_DEADLINE_MS.list + 500);
    expect(first).toMatchObject([{ spec: { id: 'r1' }, status: 'ready', stale: true }]);
    expect(engine.aborted).toBeGreaterThan(0);
    expect(driver.health().engine).toBe('unresponsive');

    // from then on at once, from the cache, while one refresh waits in the background
    const [again, ms2] = await timed(driver.get('r1'));
    expect(ms2).toBeLessThan(50);
    expect(again).toMatchObject({ status: 'ready', stale: true, agentUrl: 'http://127.0.0.1:41000' });
    expect(await driver.get('nope')).toBeNull();

    // an event (delivered when the engine resumes) still updates the cache
    engine.event('die', 'r1');
    await new Promise((r) => setTimeout(r, 10));
    expect(await driver.get('r1')).toMatchObject({ status: 'failed', stale: true });
    // creating needs the engine: a short ping, then 503
    const [err, ms3] = await timed(driver.create({ ...spec, id: 'r2' }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(EngineTimeout);
    expect(ms3).toBeLessThan(ENGINE_DEADLINE_MS.ping + 500);

    engine.hung = false;
    await driver.list(); // starts the refresh
    await new Promise((r) => setTimeout(r, 20));
    expect(driver.health()).toEqual({ engine: 'ok', unresponsiveSince: null });
    expect((await driver.list())[0]?.stale).toBeUndefined();
    await driver.close();
  }, 10_000);
});
