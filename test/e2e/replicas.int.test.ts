import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_CLOSE, type WebhookEvent } from '@boxroom/contracts';
import { verifyWebhook } from '@boxroom/contracts/webhook';
import { until } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { isAvcKeyframe, readFlvStream, waitForTag } from '../support/flv-reader.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { endingProblems, openConnections, type ParticipantConnections } from '../support/rights-sockets.js';

const run = promisify(execFile);
const INSTANCE = `it-replicas-${process.pid}`;
const ADMIN_TOKEN = `replicas-admin-${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `whsec_replicas_${randomBytes(12).toString('hex')}`;
/** What the dashboard's lease runner logs when a replica starts a singleton job. */
const LEASE_WON = 'lease won: job started here';

interface Room {
  id: string;
  status: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
  control: { holder: { id: string } | null } | null;
}
interface Joined {
  token: string;
  participantId: string;
}

/** A webhook receiver on 127.0.0.1 that checks every signature and keeps every delivery. */
async function webhookReceiver() {
  const got: Array<{ event: WebhookEvent; at: number; signature: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      const signature = verifyWebhook(WEBHOOK_SECRET, body, req.headers['x-boxroom-signature'] as string);
      got.push({ event: JSON.parse(body) as WebhookEvent, at: Date.now(), signature });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    got,
    url,
    ids: (id: string) => got.filter((g) => g.event.id === id),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Ids of the events in the store's webhook outbox not yet delivered or given up (docs/architecture.md,
 * "Webhooks"): the sender marks an event finished only after its POST was answered.
 */
async function pendingWebhooks(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      'SELECT id FROM webhook_outbox WHERE finished_at IS NULL ORDER BY seq',
    );
    return rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

describe('two dashboard replicas on one PostgreSQL, with docker rooms', () => {
  let cluster: PostgresCluster | undefined;
  let databaseUrl = '';
  let hook: Awaited<ReturnType<typeof webhookReceiver>> | undefined;
  let a: DashboardProcess | undefined;
  let b: DashboardProcess | undefined;
  const dirs: string[] = [];
  const open: ParticipantConnections[] = [];
  /** which replica started the reaper at start (the first one up takes every lease) */
  let reaperAt: DashboardProcess | undefined;

  const A = () => a!;
  const B = () => b!;
  const room = (d: DashboardProcess, id: string, token?: string) =>
    d.api<Room>('GET', `/api/rooms/${id}`, undefined, token);
  const joinRoom = async (
    d: DashboardProcess,
    r: Room,
    role: 'participant' | 'viewer' | 'owner',
    name: string,
  ) => {
    const invite = new URL(r.links[role]).hash.replace('#invite=', '');
    const res = await fetch(`${d.url}/api/rooms/${r.id}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite, name }),
    });
    expect(res.status, `join as ${role} through ${d.url}`).toBe(200);
    return (await res.json()) as Joined;
  };
  const edge = (d: DashboardProcess, id: string, token: string) => (path: string, scheme: 'ws' | 'http') =>
    `${scheme}://127.0.0.1:${d.port}/rooms/${id}/${path}?token=${token}`;
  const connect = async (d: DashboardProcess, id: string, token: string, input = false) => {
    const c = await openConnections(edge(d, id, token), { input });
    open.push(c);
    return c;
  };
  const requestControl = (d: DashboardProcess, id: string, token: string) =>
    d.api<Room['control']>('POST', `/api/rooms/${id}/control/request`, undefined, token);
  /** Created through `d`, ready as `seenBy` lists it. */
  const createRoom = async (d: DashboardProcess, seenBy: DashboardProcess, body: object = {}) => {
    const created = await d.api<Room>('POST', '/api/rooms', { width: 640, height: 360, fps: 15, ...body });
    expect(created.status).toBe(201);
    await until(
      async () => (await room(seenBy, created.body.id)).body.status === 'ready',
      60_000,
      `room ${created.body.id} ready through the other replica`,
    );
    return created.body;
  };
  const leaseWon = (d: DashboardProcess, lease: string) =>
    d
      .output()
      .split('\n')
      .some((l) => l.includes(LEASE_WON) && l.includes(`"lease":"${lease}"`));

  beforeAll(async () => {
    // the room image holds the current agent bundle; layer-cached when setup already built it
    await run('bash', ['scripts/images.sh'], { env: { ...process.env, IMAGES: 'room' }, timeout: 900_000 });
    cluster = await startPostgresCluster();
    databaseUrl = await cluster.createDatabase();
    hook = await webhookReceiver();
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), 'boxroom-replica-')));
    const env = {
      BOXROOM_DATABASE_URL: databaseUrl,
      BOXROOM_DOCKER_INSTANCE: INSTANCE,
      BOXROOM_WEBHOOK_URL: hook.url,
      BOXROOM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      BOXROOM_ROOM_POLL_MS: '500',
      BOXROOM_LOG_LEVEL: 'info',
    };
    a = await DashboardProcess.start({ driver: 'docker', dataDir: dirs[0], adminToken: ADMIN_TOKEN, env });
    // One deployment, one signing and invite key: B gets the keys A generated (docs/architecture.md).
    await cp(join(dirs[0]!, 'keys'), join(dirs[1]!, 'keys'), { recursive: true });
    b = await DashboardProcess.start({ driver: 'docker', dataDir: dirs[1], adminToken: ADMIN_TOKEN, env });
    await until(() => leaseWon(A(), 'reaper') && leaseWon(A(), 'webhooks'), 5_000, 'A to start the jobs');
    reaperAt = A();
  }, 900_000);

  afterAll(async () => {
    for (const c of open) c.closeAll();
    try {
      // every room through whichever replica still runs (the other may have been killed)
      for (const d of [a, b]) await d?.deleteAllRooms();
      await a?.dispose();
      await b?.dispose();
    } finally {
      const left = (
        await run('docker', ['ps', '-aq', '--filter', `label=io.boxroom.instance=${INSTANCE}`])
      ).stdout.trim();
      if (left) await run('docker', ['rm', '-f', ...left.split('\n')]);
      await cluster?.stop();
      await hook?.close();
      for (const d of dirs) await rm(d, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs each singleton job on one replica only', () => {
    expect(leaseWon(B(), 'reaper')).toBe(false);
    expect(leaseWon(B(), 'webhooks')).toBe(false);
  });

  it('a room created through A is listed, streamed, controlled and deleted through B', async () => {
    const r = await createRoom(A(), B());
    const listed = await B().api<{ rooms: Room[] }>('GET', '/api/rooms');
    expect(listed.body.rooms.map((x) => x.id)).toContain(r.id);

    // the links A handed out are good at B (one invite key, generations in the store)
    const vera = await joinRoom(B(), r, 'viewer', 'Vera');
    const stream = await new Promise<IncomingMessage>((resolve, reject) =>
      get(`${B().url}/rooms/${r.id}/stream.flv?token=${vera.token}`, resolve).on('error', reject),
    );
    expect(stream.statusCode).toBe(200);
    await waitForTag(readFlvStream(stream), isAvcKeyframe, 10_000);
    stream.destroy();

    const pat = await joinRoom(B(), r, 'participant', 'Pat');
    const asked = await requestControl(B(), r.id, pat.token);
    expect(asked.body?.holder?.id).toBe(pat.participantId);
    // the agent owns the lease: A sees the same holder
    expect((await room(A(), r.id)).body.control?.holder?.id).toBe(pat.participantId);
    const taken = await B().api<Room['control']>('POST', `/api/rooms/${r.id}/control/take`);
    expect(taken.status).toBe(200);
    expect(taken.body?.holder?.id).not.toBe(pat.participantId);

    expect((await B().api('DELETE', `/api/rooms/${r.id}`)).status).toBe(204);
    await until(async () => (await room(A(), r.id)).status === 404, 15_000, 'A to see the room gone');
  });

  it('a kick through B closes the sockets held through A within 2 s; a revocation through A those through B', async () => {
    const r = await createRoom(A(), B());
    const olga = await joinRoom(A(), r, 'owner', 'Olga');
    const kim = await joinRoom(A(), r, 'participant', 'Kim');
    const req = await requestControl(A(), r.id, kim.token);
    expect(req.body?.holder?.id).toBe(kim.participantId);
    const kims = await connect(A(), r.id, kim.token, true);

    const t0 = Date.now();
    const kicked = await B().api(
      'POST',
      `/api/rooms/${r.id}/participants/${kim.participantId}/kick`,
      undefined,
      olga.token,
    );
    expect(kicked.status).toBe(204);
    expect(await endingProblems(kims, WS_CLOSE.kicked, t0, 2000)).toEqual([]);
    // A's own copy of the rights: refused at A's API too, within 2 s of the kick
    await until(
      async () => (await room(A(), r.id, kim.token)).status === 403,
      Math.max(1, t0 + 2000 - Date.now()),
      'A to refuse the kicked token',
    );

    const vic = await joinRoom(B(), r, 'viewer', 'Vic');
    const vics = await connect(B(), r.id, vic.token);
    const t1 = Date.now();
    const revoked = await A().api<Room['links']>('POST', `/api/rooms/${r.id}/invites/viewer/revoke`);
    expect(revoked.status).toBe(200);
    expect(await endingProblems(vics, WS_CLOSE.inviteRevoked, t1, 2000)).toEqual([]);
    // B matches invites against the new generation: the old viewer link fails there, the new one works
    await until(
      async () => {
        const old = await fetch(`${B().url}/api/rooms/${r.id}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            invite: new URL(r.links.viewer).hash.replace('#invite=', ''),
            name: 'Late',
          }),
        });
        return old.status === 401;
      },
      Math.max(1, t1 + 2000 - Date.now()),
      'B to refuse the revoked viewer link',
    );
    await joinRoom(B(), { ...r, links: revoked.body }, 'viewer', 'Val');
    expect((await B().api('DELETE', `/api/rooms/${r.id}`)).status).toBe(204);
  });

  it('when the reaper`s replica is killed, the other reaps a timed-out room and its webhook arrives once', async () => {
    const dead = reaperAt!;
    const survivor = dead === A() ? B() : A();
    expect(leaseWon(survivor, 'reaper')).toBe(false);
    const r = await createRoom(survivor, dead, { timeouts: { maxAgeS: 20 } });
    await until(() => hook!.ids(`${r.id}.ready`).length > 0, 10_000, 'room.ready delivered');
    // Delivery is at least once: a POST answered before its sender noted it in the outbox is sent again
    // by the next holder (docs/architecture.md, "Webhooks"). Kill only once the outbox has recorded
    // every delivery, so that no attempt is cut short and "no id twice" below checks the takeover.
    await until(
      async () => (await pendingWebhooks(databaseUrl)).length === 0,
      10_000,
      'the outbox to record every delivery',
    );

    const killedAt = Date.now();
    await dead.crash(); // SIGKILL: nothing released, the leases run out
    // what the outbox holds at the kill (for the message below; the survivor sends nothing before it
    // takes the webhooks lease over)
    const pendingAtCrash = await pendingWebhooks(databaseUrl);
    await until(() => leaseWon(survivor, 'reaper'), 10_000, 'the survivor to take the reaper over');
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(8_000);

    await until(
      async () => (await room(survivor, r.id)).status === 404,
      40_000,
      'the timed-out room to be reaped',
    );
    await until(() => hook!.ids(`${r.id}.deleted`).length > 0, 10_000, 'room.deleted delivered');
    // a few more of the sender's polls: nothing comes twice
    await new Promise((res) => setTimeout(res, 3_000));
    const deleted = hook!.ids(`${r.id}.deleted`);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.event.data).toMatchObject({ cause: 'expired', reason: 'max-age' });

    // over the whole run: every event once, each signed, none of the rooms' events missing
    const counts = new Map<string, number>();
    for (const g of hook!.got) counts.set(g.event.id, (counts.get(g.event.id) ?? 0) + 1);
    expect(
      [...counts].filter(([, n]) => n > 1),
      `sent twice (pending in the outbox when the sender was killed: ${pendingAtCrash.join(', ') || 'none'})`,
    ).toEqual([]);
    expect(hook!.got.every((g) => g.signature === 'ok')).toBe(true);
    for (const id of ['created', 'ready', 'deleted']) expect(counts.get(`${r.id}.${id}`), id).toBe(1);
  });
});
