import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DashboardProcess } from '../support/dashboard-process.js';
import { sleep } from '../support/processes.js';

/**
 * Issue 11, "a token from room A, of every role, is refused on room B's API, stream, input, session
 * and snapshot": checked against the real dashboard process (local driver) with two real rooms,
 * through the dashboard and directly at room B's agent. Each refusal has a positive control (room
 * B's own token gets through the same door), so a door that is simply broken fails the test.
 */

type Kind = 'viewer' | 'participant' | 'owner' | 'operator-room' | 'aud';
const KINDS: Kind[] = ['viewer', 'participant', 'owner', 'operator-room', 'aud'];
const WS_PATHS = ['stream', 'input', 'session'] as const;

interface RoomInfo {
  id: string;
  status: string;
  links: Record<'participant' | 'viewer' | 'owner', string>;
}

let dash: DashboardProcess | null = null;
let a: RoomInfo;
let b: RoomInfo;
/** tokens of room A by kind */
const tokA = {} as Record<Kind, string>;
/** room B's own tokens, for the positive controls */
let bViewer = '';
let bOwner = '';
let bAud = '';
let agentB = '';

/** What a WebSocket got: the close code and reason, and whether any message came before it. */
function wsOutcome(url: string): Promise<{ code: number; reason: string; messages: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary']);
    let messages = 0;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no close on ${url.replace(/token=[^&]+/, 'token=…')} in 10 s`));
    }, 10_000);
    ws.on('message', () => {
      messages += 1;
      // a positive control: it is open and talking; close it ourselves
      if (messages === 1) ws.close(1000, 'enough');
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      resolve({ code: -(res.statusCode ?? 0), reason: `HTTP ${res.statusCode}`, messages });
    });
    ws.on('error', () => {});
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), messages });
    });
  });
}

async function httpGet(url: string): Promise<{ status: number; body: Buffer }> {
  const ctl = new AbortController();
  const res = await fetch(url, { signal: ctl.signal });
  // A live stream never ends: read its first bytes only.
  const reader = res.body!.getReader();
  const first = await Promise.race([reader.read(), sleep(5000).then(() => ({ value: undefined }))]);
  ctl.abort();
  return { status: res.status, body: Buffer.from(first.value ?? []) };
}

async function joinRoom(room: RoomInfo, role: 'viewer' | 'participant' | 'owner'): Promise<string> {
  const invite = new URL(room.links[role]).hash.replace(/^#invite=/, '');
  const res = await fetch(`${dash!.url}/api/rooms/${room.id}/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite, name: role }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function waitReady(id: string): Promise<void> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const { body } = await dash!.api<{ status: string }>('GET', `/api/rooms/${id}`);
    if (body.status === 'ready') return;
    if (body.status === 'failed' || Date.now() > deadline)
      throw new Error(`room ${id} ${body.status}:\n${dash!.output().slice(-3000)}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  dash = await DashboardProcess.start({
    driver: 'local',
    env: { BOXROOM_LOG_LEVEL: 'warn' },
  });
  const create = async () => {
    const res = await dash!.api<RoomInfo>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 10,
      app: 'terminal',
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  a = await create();
  b = await create();
  await Promise.all([waitReady(a.id), waitReady(b.id)]);
  agentB = `127.0.0.1:${dash.localRoom(b.id).port}`;

  // The dashboard's own signing key (root reads it here; no room's desktop can): the operator-role
  // room token an older dashboard minted, and the agent-call token it mints now.
  const key = await importPKCS8(
    readFileSync(join(dash.dataDir, 'keys', 'token-ed25519.pem'), 'utf8'),
    'EdDSA',
  );
  const mint = (room: string, aud: boolean) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ room, role: 'operator', name: 'dashboard' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('boxroom')
      .setSubject('boxroom-dashboard')
      .setIssuedAt(now)
      .setExpirationTime(now + 600);
    if (aud) jwt.setAudience('boxroom-agent');
    return jwt.sign(key);
  };
  tokA.viewer = await joinRoom(a, 'viewer');
  tokA.participant = await joinRoom(a, 'participant');
  tokA.owner = await joinRoom(a, 'owner');
  tokA['operator-room'] = await mint(a.id, false);
  tokA.aud = await mint(a.id, true);
  bViewer = await joinRoom(b, 'viewer');
  bOwner = await joinRoom(b, 'owner');
  bAud = await mint(b.id, true);
}, 120_000);

afterAll(async () => {
  await dash?.teardown();
}, 60_000);

describe('tokens of room A are refused on room B (real dashboard, two local rooms)', () => {
  it("through the dashboard: room B's API (read, control, invites, desktop reset)", async () => {
    const routes: Array<[string, string]> = [
      ['GET', `/api/rooms/${b.id}`],
      ['DELETE', `/api/rooms/${b.id}`],
      ['POST', `/api/rooms/${b.id}/control/request`],
      ['POST', `/api/rooms/${b.id}/control/take`],
      ['POST', `/api/rooms/${b.id}/invites/viewer/revoke`],
      ['POST', `/api/rooms/${b.id}/desktop/reset`],
    ];
    for (const kind of KINDS) {
      for (const [method, path] of routes) {
        const res = await dash!.api<{ error: { message: string } }>(method, path, undefined, tokA[kind]);
        expect(res.status, `${kind} ${method} ${path}`).toBe(kind === 'aud' ? 401 : 403);
      }
      // and nothing room-independent either
      for (const [method, path] of [
        ['GET', '/api/rooms'],
        ['POST', '/api/rooms'],
      ] as const) {
        const res = await dash!.api(method, path, method === 'POST' ? {} : undefined, tokA[kind]);
        expect(res.status, `${kind} ${method} ${path}`).toBe(kind === 'aud' ? 401 : 403);
      }
    }
    // room B still there, its invites unchanged; its own owner reads it (positive control)
    const own = await dash!.api<RoomInfo>('GET', `/api/rooms/${b.id}`, undefined, bOwner);
    expect(own.status).toBe(200);
    expect(own.body.links.viewer).toBe(b.links.viewer);
    // an aud token of room B itself is no credential at the dashboard
    expect((await dash!.api('GET', `/api/rooms/${b.id}`, undefined, bAud)).status).toBe(401);
  });

  it("through the dashboard: room B's HTTP-FLV stream and snapshot", async () => {
    for (const path of ['stream.flv', 'snapshot.jpg']) {
      for (const kind of KINDS) {
        const res = await httpGet(`${dash!.url}/rooms/${b.id}/${path}?token=${tokA[kind]}`);
        expect(res.status, `${kind} ${path}`).toBe(kind === 'aud' ? 401 : 403);
        expect(res.body.subarray(0, 3).toString()).not.toBe('FLV');
      }
      expect((await httpGet(`${dash!.url}/rooms/${b.id}/${path}?token=${bAud}`)).status).toBe(401);
    }
    const ok = await httpGet(`${dash!.url}/rooms/${b.id}/stream.flv?token=${bViewer}`);
    expect(ok.status).toBe(200);
    expect(ok.body.subarray(0, 3).toString()).toBe('FLV');
    expect((await httpGet(`${dash!.url}/rooms/${b.id}/snapshot.jpg?token=${bViewer}`)).status).toBe(200);
  });

  it("through the dashboard: room B's WebSocket stream, input and session", async () => {
    const base = dash!.url.replace(/^http/, 'ws');
    for (const path of WS_PATHS) {
      for (const kind of KINDS) {
        const out = await wsOutcome(`${base}/rooms/${b.id}/${path}?token=${tokA[kind]}`);
        expect(out, `${kind} ${path}`).toMatchObject({
          code: kind === 'aud' ? 4401 : 4403,
          messages: 0,
        });
      }
      expect((await wsOutcome(`${base}/rooms/${b.id}/${path}?token=${bAud}`)).code).toBe(4401);
    }
    // positive controls: room B's viewer gets the stream and the session's hello
    for (const path of ['stream', 'session'] as const) {
      const out = await wsOutcome(`${base}/rooms/${b.id}/${path}?token=${bViewer}`);
      expect(out.messages, path).toBeGreaterThan(0);
    }
  });

  it("directly at room B's agent: state, control, stream, snapshot, WebSockets", async () => {
    for (const kind of KINDS) {
      const auth = { authorization: `Bearer ${tokA[kind]}` };
      const state = await fetch(`http://${agentB}/state`, { headers: auth });
      expect(state.status, `${kind} /state`).toBe(401);
      expect(((await state.json()) as { error: { message: string } }).error.message).toBe(
        'token is for another room',
      );
      const take = await fetch(`http://${agentB}/control/take`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(take.status, `${kind} /control/take`).toBe(401);
      for (const path of ['stream.flv', 'snapshot.jpg']) {
        const res = await httpGet(`http://${agentB}/${path}?token=${tokA[kind]}`);
        expect(res.status, `${kind} ${path}`).toBe(401);
      }
      for (const path of WS_PATHS) {
        const out = await wsOutcome(`ws://${agentB}/${path}?token=${tokA[kind]}`);
        expect(out, `${kind} ws ${path}`).toEqual({
          code: 4401,
          reason: 'token is for another room',
          messages: 0,
        });
      }
    }
    // positive controls: the agent takes room B's own tokens, the dashboard's aud token included
    const own = await fetch(`http://${agentB}/state`, { headers: { authorization: `Bearer ${bAud}` } });
    expect(own.status).toBe(200);
    expect((await httpGet(`http://${agentB}/snapshot.jpg?token=${bViewer}`)).status).toBe(200);
    expect((await wsOutcome(`ws://${agentB}/session?token=${bViewer}`)).messages).toBeGreaterThan(0);
  });
});
