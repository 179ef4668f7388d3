import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHealth, SessionEvent, WebhookEvent } from '@boxroom/contracts';
import { verifyWebhook } from '@boxroom/contracts/webhook';
import { openSession, until } from '../../../test/support/agent-helpers.js';
import { alive } from '../../../test/support/agent-process.js';
import { localAppDeps, localDriverIn } from '../../../test/support/local-driver.js';
import { buildApp } from '../app.js';
import { findRoomProcesses } from '../drivers/local/leftovers.js';
import type { RoomDriver } from './room-driver.js';

const ADMIN = { authorization: 'Bearer timeouts-admin-token-0123' };
const WEBHOOK_SECRET = 'whsec_integration-secret-0123456789';
const NO_INPUT_S = 20;

interface Delivery {
  event: WebhookEvent;
  verdict: string;
}

/** A webhook receiver on 127.0.0.1 that checks every signature against the raw body. */
async function startReceiver(): Promise<{ url: string; got: Delivery[]; server: Server }> {
  const got: Delivery[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const header = req.headers['x-boxroom-signature'];
      got.push({
        event: JSON.parse(body) as WebhookEvent,
        verdict: verifyWebhook(WEBHOOK_SECRET, body, typeof header === 'string' ? header : undefined),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, server };
}

/**
 * Room timeouts end to end: the real dashboard with the local driver and the real agent. The agent
 * runs the clock, warns on the session channel, says expired; the reaper deletes the room through the
 * driver; nothing of the room keeps running; a signed webhook reports each step.
 */
describe('room timeouts through the dashboard (local driver, real agent)', () => {
  let dataDir: string;
  let driver: RoomDriver;
  let app: FastifyInstance;
  let base: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const pidsToCheck: number[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', '--only=room-agent'], { stdio: 'inherit' });
    receiver = await startReceiver();
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-timeouts-int-'));
    const local = await localDriverIn(dataDir, ADMIN.authorization.slice('Bearer '.length), 160);
    driver = local.driver;
    app = await buildApp(
      localAppDeps(dataDir, local, {
        roomTimeouts: { maxAgeS: 0, noViewersS: 0, noInputS: 0 },
        roomPollMs: 300,
        webhookUrl: receiver.url,
        webhookSecret: WEBHOOK_SECRET,
      }),
    );
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    for (const r of (await driver?.list()) ?? []) await driver.delete(r.spec.id);
    await app?.close();
    await driver?.close();
    // Whatever failed above: no process of the room outlives the test.
    for (const pid of pidsToCheck) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await new Promise<void>((r) => (receiver ? receiver.server.close(() => r()) : r()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('no input: a warning on the session channel, then the room is deleted and nothing is left', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/rooms',
      headers: ADMIN,
      payload: { name: 'short-lived', width: 640, height: 480, timeouts: { noInputS: NO_INPUT_S } },
    });
    expect(created.statusCode, created.body).toBe(201);
    const room = created.json();
    expect(room.timeouts).toEqual({ maxAgeS: 0, noViewersS: 0, noInputS: NO_INPUT_S });
    const state = JSON.parse(await readFile(join(dataDir, 'local', 'rooms.json'), 'utf8'));
    const { pid, runDir, port } = state.rooms[0] as { pid: number; runDir: string; port: number };
    pidsToCheck.push(pid);

    await until(
      async () =>
        (await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).json().status === 'ready',
      30_000,
      'the room to be ready',
    );
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as AgentHealth;
    const childPids = health.processes.map((p) => p.pid).filter((p): p is number => p !== null);
    expect(childPids.length).toBeGreaterThan(4);
    pidsToCheck.push(...childPids);

    // A participant joins, watches and takes control (never types): presence and control in the API.
    const join_ = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: new URL(room.links.participant).hash.slice('#invite='.length), name: 'ann' },
    });
    const { token, participantId } = join_.json();
    const session = await openSession(
      `${base.replace('http', 'ws')}/rooms/${room.id}/session?token=${token}`,
    );
    const ctl = await app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/control/request`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ctl.statusCode).toBe(200);
    const shown = (await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).json();
    expect(shown.participants).toEqual([
      expect.objectContaining({ id: participantId, name: 'ann', role: 'participant' }),
    ]);
    expect(shown.control).toMatchObject({ holder: { id: participantId }, queue: [], locked: false });
    expect(shown.expired).toBeNull();

    const warning = (await session.waitFor(
      (e) => e.type === 'warning' && e.stage === 'warning',
      NO_INPUT_S * 1000,
      'the timeout warning',
    )) as Extract<SessionEvent, { type: 'warning' }>;
    expect(warning).toMatchObject({ reason: 'no-input' });
    const created_ = new Date(room.createdAt).getTime();
    expect(warning.at).toBeGreaterThan(created_ + (NO_INPUT_S - 2) * 1000);
    expect(warning.at).toBeLessThan(created_ + (NO_INPUT_S + 5) * 1000);
    expect(warning.message).toMatch(/will be deleted/);

    // Expired -> deleted by the reaper through the driver: the session ends, the room is gone.
    await session.waitFor((e) => e.type === 'warning' && e.stage === 'expired', 15_000, 'expired');
    expect([1001, 1005, 1006, 4503]).toContain(await session.closed);
    await until(
      async () => (await app.inject({ url: '/api/rooms', headers: ADMIN })).json().rooms.length === 0,
      10_000,
      'the room to leave GET /api/rooms',
    );
    expect((await app.inject({ url: `/api/rooms/${room.id}`, headers: ADMIN })).statusCode).toBe(404);
    expect(pidsToCheck.filter(alive)).toEqual([]);
    expect(await findRoomProcesses(runDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    const after = JSON.parse(await readFile(join(dataDir, 'local', 'rooms.json'), 'utf8'));
    expect(after.rooms).toEqual([]);

    // The webhook saw every step, each correctly signed.
    await until(
      () => receiver.got.some((d) => d.event.type === 'room.deleted'),
      5000,
      'room.deleted webhook',
    );
    expect(receiver.got.map((d) => d.verdict).every((v) => v === 'ok')).toBe(true);
    const types = receiver.got.map((d) => d.event.type);
    expect(types.indexOf('room.created')).toBe(0);
    expect(types).toContain('room.ready');
    const control = receiver.got.find((d) => d.event.type === 'control.changed')?.event;
    expect(control).toMatchObject({
      room: room.id,
      data: { reason: 'request', holder: { id: participantId } },
    });
    expect(receiver.got.at(-1)?.event).toMatchObject({
      type: 'room.deleted',
      room: room.id,
      data: { cause: 'expired', reason: 'no-input' },
    });
  });
});
