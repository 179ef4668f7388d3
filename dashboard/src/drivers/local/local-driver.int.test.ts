import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isAvcFrame, readFlvStream, waitForTag } from '../../../../test/support/flv-reader.js';
import { localDriverIn } from '../../../../test/support/local-driver.js';
import { buildApp } from '../../app.js';
import type { RoomDriver } from '../../rooms/room-driver.js';
import { AGENT_BUNDLE, findAgentEntry } from './agent-entry.js';
import { findRoomProcesses } from './leftovers.js';
import { groupAlive } from './process-group.js';

const ADMIN = { authorization: 'Bearer integration-admin-token-0123' };

/** Processes of a room: the agent and everything it started (see leftovers.ts). */
const processesOfRoom = (runDir: string): Promise<number[]> => findRoomProcesses(runDir);

/**
 * The local driver with the REAL room agent (Xvfb, x11vnc, PulseAudio, ffmpeg, media server):
 * create a room through the API, read FLV through the dashboard's proxy, delete it, nothing left.
 */
describe('local driver + real room agent, through the dashboard API and proxy', () => {
  let dataDir: string;
  let driver: RoomDriver;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    // the integration tier runs the real bundle: build it (about a second)
    execFileSync(process.execPath, ['scripts/build.mjs', '--only=room-agent'], { stdio: 'inherit' });
    const entry = findAgentEntry();
    expect(entry, `${AGENT_BUNDLE} not built`).toBeTruthy();
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-local-int-'));
    const local = await localDriverIn(dataDir, ADMIN.authorization.slice('Bearer '.length), 140);
    const { secrets, log } = local;
    driver = local.driver;
    app = await buildApp({
      config: { dataDir, publicUrl: 'http://127.0.0.1', maxRooms: 5, tokenTtlS: 600 },
      log,
      driver,
      secrets,
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const r of (await driver?.list()) ?? []) await driver.delete(r.spec.id);
    await app?.close();
    await driver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('create -> ready -> FLV through /rooms/:id/stream.flv within 3 s -> delete leaves no process', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: ADMIN,
      payload: { name: 'int' },
    });
    expect(created.statusCode).toBe(201);
    const room = created.json();
    expect(room.status).toBe('starting');

    const state = JSON.parse(await readFile(join(dataDir, 'local', 'rooms.json'), 'utf8'));
    const { pid, display, runDir } = state.rooms[0] as { pid: number; display: number; runDir: string };
    // the room belongs to its creator, the admin credential, and the state file keeps that
    expect(state.rooms[0].spec.ownerId).toBe('operator');

    // ready: the agent's /healthz said ok
    const t0 = Date.now();
    let status = room.status;
    while (status !== 'ready') {
      expect(status, 'room failed to start').not.toBe('failed');
      expect(Date.now() - t0, 'room not ready in 30 s').toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 100));
      status = (await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).json().status;
    }
    const readyAt = Date.now();

    const invite = new URL(room.links.viewer).hash.slice('#invite='.length);
    const join_ = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite, name: 'watcher' },
    });
    const { token } = join_.json();

    let req: ClientRequest | undefined;
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      req = get(`${base}/rooms/${room.id}/stream.flv?token=${encodeURIComponent(token)}`, resolve);
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('video/x-flv');
    const reader = readFlvStream(res);
    await waitForTag(reader, isAvcFrame, Math.max(100, 3000 - (Date.now() - readyAt)));
    expect(Date.now() - readyAt).toBeLessThan(3000);
    req?.destroy();

    // the session channel through the WS proxy: JSON text frames, hello first
    const participant = (
      await app.inject({
        method: 'POST',
        url: `/api/rooms/${room.id}/join`,
        payload: { invite: new URL(room.links.participant).hash.slice('#invite='.length), name: 'ann' },
      })
    ).json();
    const ws = new WebSocket(
      `${base.replace('http', 'ws')}/rooms/${room.id}/session?token=${participant.token}`,
    );
    const hello = await new Promise<{ data: string; isBinary: boolean }>((resolve, reject) => {
      ws.once('message', (data, isBinary) => resolve({ data: data.toString(), isBinary }));
      ws.once('error', reject);
    });
    expect(hello.isBinary).toBe(false);
    expect(JSON.parse(hello.data)).toMatchObject({
      type: 'hello',
      you: { id: participant.participantId, role: 'participant' },
    });

    // control through the API, decided by the agent
    const ctl = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/control/request`,
      headers: { authorization: `Bearer ${participant.token}` },
    });
    expect(ctl.statusCode).toBe(200);
    expect(ctl.json().holder?.id).toBe(participant.participantId);
    const viewerTake = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/control/request`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viewerTake.statusCode).toBe(403);

    // the list shows live figures from the agent
    const listed = (await app.inject({ url: '/api/rooms', headers: ADMIN })).json().rooms[0];
    expect(typeof listed.viewers).toBe('number');
    expect(listed.controller?.id).toBe(participant.participantId);

    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

    const del = await app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: ADMIN });
    expect(del.statusCode).toBe(204);
    // the agent going away ends proxied sockets with a close code, not silence
    expect([1001, 1005, 4503]).toContain(await wsClosed);
    expect(groupAlive(pid)).toBe(false);
    expect(await processesOfRoom(runDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    expect(existsSync(`/tmp/.X${display}-lock`)).toBe(false);
    expect((await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).statusCode).toBe(404);
  });

  it('an agent killed with SIGKILL: the room fails and nothing of it is left running', async () => {
    const room = (await app.inject({ method: 'POST', url: '/api/rooms', headers: ADMIN })).json();
    const t0 = Date.now();
    while ((await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).json().status !== 'ready') {
      expect(Date.now() - t0, 'room not ready in 30 s').toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const state = JSON.parse(await readFile(join(dataDir, 'local', 'rooms.json'), 'utf8'));
    const { pid, runDir } = state.rooms.find((r: { spec: { id: string } }) => r.spec.id === room.id) as {
      pid: number;
      runDir: string;
    };
    // the agent, Xvfb, PulseAudio, the window manager, the app, x11vnc, ffmpeg
    expect((await processesOfRoom(runDir)).length).toBeGreaterThan(4);
    process.kill(pid, 'SIGKILL');
    let failed: { status: string; failure?: string | null };
    while (
      (failed = (await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).json()).status !==
      'failed'
    ) {
      expect(Date.now() - t0, 'room not failed').toBeLessThan(40_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    // the API says why, in the runtime's words
    expect(failed.failure).toBe('the room agent was killed by SIGKILL');
    const deadline = Date.now() + 10_000;
    while ((await processesOfRoom(runDir)).length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await processesOfRoom(runDir)).toEqual([]);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/rooms/${room.id}`, headers: ADMIN })).statusCode,
    ).toBe(204);
  });
});
