import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStateStore, parseState, type LocalRoomState } from './local-state.js';

const log = pino({ level: 'silent' });

const room = (id: string, pid: number | null): LocalRoomState => ({
  spec: {
    id,
    name: `room ${id}`,
    width: 1280,
    height: 720,
    fps: 30,
    app: 'terminal',
    createdAt: 1700000000000,
    ownerId: null,
  },
  status: 'ready',
  pid,
  port: 41000,
  display: 100,
  runDir: `/tmp/run/${id}`,
});

describe('LocalStateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boxroom-local-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips rooms through the file', async () => {
    const store = new LocalStateStore(join(dir, 'local', 'rooms.json'), log);
    expect(await store.load()).toEqual({ version: 1, rooms: [] });
    const owned = room('aaaaaaaaaa', 123);
    const rooms = [{ ...owned, spec: { ...owned.spec, ownerId: 'operator' } }, room('bbbbbbbbbb', null)];
    await store.save(rooms);
    expect(await new LocalStateStore(store.file, log).load()).toEqual({ version: 1, rooms });
  });

  it('writes atomically: concurrent saves leave one complete file and no temp files', async () => {
    const store = new LocalStateStore(join(dir, 'rooms.json'), log);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.save([room(`r${String(i).padStart(9, '0')}`, i)])),
    );
    const state = JSON.parse(await readFile(store.file, 'utf8')) as { rooms: LocalRoomState[] };
    expect(state.rooms).toHaveLength(1);
    expect(state.rooms[0]?.spec.id).toBe('r000000019');
    expect(await readdir(dir)).toEqual(['rooms.json']);
  });

  it('survives a corrupt file and drops malformed entries', async () => {
    const file = join(dir, 'rooms.json');
    await writeFile(file, '{"version":1,"rooms":[');
    expect(await new LocalStateStore(file, log).load()).toEqual({ version: 1, rooms: [] });
    expect(parseState({ version: 1, rooms: [room('aaaaaaaaaa', 1), { spec: {} }, null] }).rooms).toHaveLength(
      1,
    );
    expect(parseState({ version: 2, rooms: [room('aaaaaaaaaa', 1)] }).rooms).toHaveLength(0);
  });
});
