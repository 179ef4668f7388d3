import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Room } from '@boxroom/contracts';
import type { DashboardProcess } from '../support/dashboard-process.js';
import { isAvcKeyframe, readFlvWebSocket, waitForTag } from '../support/flv-reader.js';
import { sleep } from '../support/processes.js';

const run = promisify(execFile);
const POOL_OWNER = 'boxroom-pool';

/** The pooled rooms the runtime holds, taken or not (the dashboard's API never shows the untaken). */
export async function runtimePooled(dash: DashboardProcess, driver: 'local' | 'docker', instance: string) {
  if (driver === 'docker') {
    const { stdout } = await run('docker', [
      'ps',
      '-a',
      '--filter',
      `label=io.boxroom.instance=${instance}`,
      '--filter',
      `label=io.boxroom.room.owner-id=${POOL_OWNER}`,
      '--format',
      '{{.Label "io.boxroom.room.id"}}',
    ]);
    return stdout.trim().split('\n').filter(Boolean);
  }
  try {
    const state = JSON.parse(readFileSync(join(dash.dataDir, 'local', 'rooms.json'), 'utf8')) as {
      rooms: Array<{ spec: { id: string; ownerId: string | null } }>;
    };
    return state.rooms.filter((r) => r.spec.ownerId === POOL_OWNER).map((r) => r.spec.id);
  } catch {
    return [];
  }
}

/** boxroom_pool_rooms{state="ready"} from /metrics. */
async function poolReady(dash: DashboardProcess): Promise<number> {
  const res = await fetch(`${dash.url}/metrics`, { headers: { authorization: `Bearer ${dash.adminToken}` } });
  const m = /^boxroom_pool_rooms\{state="ready"\} (\d+)$/m.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

/** Waits until the pool has a ready room that the API does not list; its id. */
export async function waitPooledReady(
  dash: DashboardProcess,
  driver: 'local' | 'docker',
  instance: string,
  notIn: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids = (await runtimePooled(dash, driver, instance)).filter((id) => !notIn.includes(id));
    if (ids.length && (await poolReady(dash)) >= 1) return ids[0]!;
    if (Date.now() > deadline) throw new Error(`no ready pooled room: ${dash.output().slice(-2000)}`);
    await sleep(100);
  }
}

async function listedIds(dash: DashboardProcess): Promise<string[]> {
  const r = await dash.api<{ rooms: Room[] }>('GET', '/api/rooms');
  expect(r.status).toBe(200);
  return r.body.rooms.map((x) => x.id);
}

/** The first H.264 keyframe a new viewer of `room` gets through the dashboard: ms after `t0`. */
async function firstKeyframeMs(dash: DashboardProcess, room: Room, t0: number): Promise<number> {
  const invite = new URL(room.links!.viewer).hash.replace(/^#invite=/, '');
  const joined = await dash.api<{ token: string }>('POST', `/api/rooms/${room.id}/join`, {
    invite,
    name: 'probe',
  });
  expect(joined.status).toBe(200);
  const url = `${dash.url.replace('http', 'ws')}/rooms/${room.id}/stream?token=${encodeURIComponent(joined.body.token)}`;
  const ws = new WebSocket(url);
  try {
    await waitForTag(readFlvWebSocket(ws), isAvcKeyframe, 20_000);
    return Date.now() - t0;
  } finally {
    ws.close();
  }
}

/**
 * The warm pool against a real driver (a dashboard with BOXROOM_POOL terminal=1): a create takes the
 * pooled room (its id), which streams at once; the API never listed it; another starts behind it; a
 * create wanting something else starts cold; deleting the rooms and stopping the dashboard leaves
 * nothing of the pool running.
 */
export function poolCases(
  get: () => { dash: DashboardProcess; driver: 'local' | 'docker'; instance: string },
) {
  it('serves a default create from the pool and starts another behind it', async () => {
    const { dash, driver, instance } = get();
    const pooled = await waitPooledReady(dash, driver, instance);
    expect(await listedIds(dash)).not.toContain(pooled);

    const t0 = Date.now();
    const made = await dash.api<Room>('POST', '/api/rooms', { name: 'from the pool' });
    const answeredMs = Date.now() - t0;
    expect(made.status).toBe(201);
    expect(made.body.id).toBe(pooled);
    expect(made.body.name).toBe('from the pool');
    expect(made.body.status).toBe('ready');
    const keyframeMs = await firstKeyframeMs(dash, made.body, t0);
    console.log(`pool (${driver}): POST answered ${answeredMs} ms, first keyframe ${keyframeMs} ms`);
    expect(keyframeMs).toBeLessThan(2_000);
    expect(await listedIds(dash)).toEqual([pooled]);

    // another pooled room behind it, which the API does not list either
    const next = await waitPooledReady(dash, driver, instance, [pooled]);
    expect(next).not.toBe(pooled);
    expect(await listedIds(dash)).toEqual([pooled]);

    // a create that wants another size does not take it
    const other = await dash.api<Room>('POST', '/api/rooms', { width: 1024, height: 576 });
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(next);
    expect(await runtimePooled(dash, driver, instance)).toContain(next);
    expect((await listedIds(dash)).sort()).toEqual([pooled, other.body.id].sort());

    // a room taken once is never served again: deleted, it is gone from the runtime
    expect((await dash.api('DELETE', `/api/rooms/${pooled}`)).status).toBe(204);
    expect(await runtimePooled(dash, driver, instance)).not.toContain(pooled);
    expect((await dash.api('DELETE', `/api/rooms/${other.body.id}`)).status).toBe(204);
  }, 180_000);
}
