import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeDriver } from '../../testing/fake-driver.js';
import { tempFileStore } from '../../testing/temp-file-store.js';
import { until } from '../../testing/until.js';
import type { FileStateStore } from '../../store/file-state-store.js';
import { BUILT_IN_TEMPLATES } from '../../templates/built-in-templates.js';
import type { RoomRecord, RoomSpec, RoomStatus } from '../room-driver.js';
import { resolveCreate } from '../template-resolution.js';
import { claimOf, pooledSpec } from './pool-spec.js';
import { PooledDriver } from './pooled-driver.js';
import { PoolTakeLost, RoomPool } from './room-pool.js';

const log = pino({ level: 'silent' });
const DEFAULTS = { record: 'manual', timeouts: { maxAgeS: 0, noViewersS: 3600, noInputS: 0 } } as const;
const terminalDefaults = () => resolveCreate({}, BUILT_IN_TEMPLATES.terminal, DEFAULTS);

/** The spec a RoomManager builds for a taker of `candidate` (its id, the taker's name and owner). */
const takerSpec = (candidate: RoomRecord, owner = 'oidc:ann'): RoomSpec => ({
  ...terminalDefaults(),
  id: candidate.spec.id,
  name: 'mine',
  ownerId: owner,
  createdAt: 5_000,
  record: 'off',
  recordingsVisibleTo: 'owners',
});

describe('RoomPool and PooledDriver (fake runtime, the file store)', () => {
  let runtime: FakeDriver;
  let store: FileStateStore;
  let dispose: () => Promise<void>;
  let driver: PooledDriver;
  let pool: RoomPool;
  let ids: number;
  const statuses: Array<[string, RoomStatus]> = [];
  const makePool = (d: PooledDriver, now = Date.now) =>
    new RoomPool({
      driver: d,
      targets: new Map([['terminal', 1]]),
      defaults: (id) => (id === 'terminal' ? terminalDefaults() : null),
      newId: () => `pool${++ids}`,
      log,
      tickMs: 10,
      now,
    });

  beforeEach(async () => {
    ({ store, dispose } = await tempFileStore());
    runtime = new FakeDriver('http://agent');
    driver = new PooledDriver(runtime, store, log);
    driver.on('status', (id, s) => statuses.push([id, s]));
    ids = 0;
    statuses.length = 0;
    pool = makePool(driver);
  });

  afterEach(async () => {
    await pool.stop();
    driver.detach();
    await dispose();
  });

  it('keeps its rooms out of sight until one is taken, then lists it as the taker made it', async () => {
    pool.start();
    await until(() => pool.size().ready === 1);
    expect(runtime.rooms.has('pool1')).toBe(true);
    expect(await driver.list()).toEqual([]);
    expect(await driver.get('pool1')).toBeNull();
    runtime.emit('status', 'pool1', 'ready');
    expect(statuses).toEqual([]);

    const candidate = pool.candidate(terminalDefaults())!;
    expect(candidate.spec.id).toBe('pool1');
    expect(pool.candidate(resolveCreate({ width: 1024 }, BUILT_IN_TEMPLATES.terminal, DEFAULTS))).toBeNull();
    const taken = await pool.take(candidate, takerSpec(candidate));
    expect(taken.spec).toMatchObject({ id: 'pool1', name: 'mine', ownerId: 'oidc:ann', createdAt: 5_000 });
    expect(taken.spec).toMatchObject({ record: 'off', recordingsVisibleTo: 'owners' });
    expect((await driver.list()).map((r) => r.spec.id)).toEqual(['pool1']);
    pool.taken(taken);
    expect(statuses).toEqual([['pool1', 'ready']]);

    // another behind it (after the take's pause), hidden as the first was
    await until(() => runtime.rooms.has('pool2'), 4_000);
    expect((await driver.list()).map((r) => r.spec.id)).toEqual(['pool1']);
  });

  it('lets one create take a room: a second take (this or another replica) goes cold', async () => {
    pool.start();
    await until(() => pool.size().ready === 1);
    const candidate = pool.candidate(terminalDefaults())!;
    // another replica over the same store and runtime took it first
    const other = new PooledDriver(runtime, store, log);
    expect(await other.claim(claimOf(takerSpec(candidate, 'oidc:bob')))).toBe(true);
    await expect(pool.take(candidate, takerSpec(candidate))).rejects.toBeInstanceOf(PoolTakeLost);
    expect((await driver.get(candidate.spec.id))?.spec.ownerId).toBe('oidc:bob');
    other.detach();
  });

  it('on another replica, a pooled room it never read moves unannounced; any other room`s moves pass in order', async () => {
    pool.start();
    await until(() => pool.size().ready === 1);
    const other = new PooledDriver(runtime, store, log);
    const seen: Array<[string, RoomStatus]> = [];
    other.on('status', (id, s) => seen.push([id, s]));
    runtime.emit('status', 'pool1', 'starting');
    runtime.emit('status', 'pool1', 'ready');
    // a room a create on a third replica made: its moves pass, in order
    await runtime.create({ ...takerSpec({ spec: { id: 'cold1' } } as RoomRecord), ownerId: 'oidc:bob' });
    runtime.emit('status', 'cold1', 'starting');
    runtime.emit('status', 'cold1', 'ready');
    runtime.emit('status', 'cold1', 'stopping');
    await until(() => seen.length === 3);
    expect(seen).toEqual([
      ['cold1', 'starting'],
      ['cold1', 'ready'],
      ['cold1', 'stopping'],
    ]);
    // taken (here or anywhere): from then on its moves are the taker's
    const candidate = pool.candidate(terminalDefaults())!;
    await pool.take(candidate, takerSpec(candidate));
    expect(await other.get('pool1')).not.toBeNull();
    runtime.emit('status', 'pool1', 'failed');
    await until(() => seen.length === 4);
    expect(seen[3]).toEqual(['pool1', 'failed']);
    other.detach();
  });

  it('keeps who took a room across a restart: a new driver over the store never serves it again', async () => {
    pool.start();
    await until(() => pool.size().ready === 1);
    const candidate = pool.candidate(terminalDefaults())!;
    await pool.take(candidate, takerSpec(candidate));
    await pool.stop();
    const restarted = new PooledDriver(runtime, store, log);
    await restarted.init();
    expect((await restarted.get('pool1'))?.spec.name).toBe('mine');
    expect((await restarted.pooled()).map((r) => r.spec.id)).not.toContain('pool1');
    restarted.detach();
  });

  it('deletes a failed pooled room and starts the next one only after a backoff', async () => {
    let now = 1_000_000;
    await pool.stop();
    pool = makePool(driver, () => now);
    pool.start();
    await until(() => pool.size().ready === 1);
    runtime.setStatus('pool1', 'failed', 'exit 1');
    await until(() => !runtime.rooms.has('pool1'));
    // no new room within the backoff
    await new Promise((r) => setTimeout(r, 50));
    expect(runtime.rooms.size).toBe(0);
    now += 1_001;
    await until(() => runtime.rooms.has('pool2'));
  });

  it('deletes the pooled rooms of an earlier run, of templates no longer pooled, and its own on stop', async () => {
    await runtime.create(pooledSpec('old1', terminalDefaults(), 1));
    await runtime.create(pooledSpec('desk1', resolveCreate({}, BUILT_IN_TEMPLATES.desktop, DEFAULTS), 1));
    pool.start();
    await until(() => pool.size().ready === 1);
    await until(() => !runtime.rooms.has('old1') && !runtime.rooms.has('desk1'));
    expect([...runtime.rooms.keys()]).toEqual(['pool1']);
    await pool.stop();
    expect(runtime.rooms.size).toBe(0);
  });

  it('replaces a pooled room that waited a tenth of its shortest timeout', async () => {
    let now = 1_000_000;
    await pool.stop();
    pool = makePool(driver, () => now);
    pool.start();
    await until(() => runtime.rooms.has('pool1'));
    now += 360_001;
    await until(() => !runtime.rooms.has('pool1') && runtime.rooms.has('pool2'));
  });
});
