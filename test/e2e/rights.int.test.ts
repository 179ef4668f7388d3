import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_CLOSE } from '@boxroom/contracts';
import { until } from '../support/agent-helpers.js';
import { DashboardProcess } from '../support/dashboard-process.js';
import { endingProblems, openConnections, type ParticipantConnections } from '../support/rights-sockets.js';

/** Short tokens, so expiry and renewal happen within the test. */
const TTL_S = 10;

interface Joined {
  token: string;
  participantId: string;
  expiresAt: string;
  role: string;
}

function wsRefused(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    ws.on('close', (code) => resolve(code));
  });
}

describe('rights end while connections are open, through the real dashboard (local driver)', () => {
  let dash: DashboardProcess;
  let roomId: string;
  let links: Record<'participant' | 'viewer' | 'owner', string>;
  const open: ParticipantConnections[] = [];

  const join = async (role: 'participant' | 'viewer' | 'owner', name: string): Promise<Joined> => {
    const invite = new URL(links[role]).hash.replace('#invite=', '');
    const res = await fetch(`${dash.url}/api/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite, name }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Joined;
  };
  const edge = (token: string) => (path: string, scheme: 'ws' | 'http') =>
    `${scheme}://127.0.0.1:${dash.port}/rooms/${roomId}/${path}?token=${token}`;
  const connect = async (token: string, input = false) => {
    const c = await openConnections(edge(token), { input });
    open.push(c);
    return c;
  };
  const room = () =>
    dash
      .api<{ status: string; control: { holder: { id: string } | null } | null }>(
        'GET',
        `/api/rooms/${roomId}`,
      )
      .then((r) => r.body);

  beforeAll(async () => {
    dash = await DashboardProcess.start({
      driver: 'local',
      env: {
        BOXROOM_TOKEN_TTL_S: String(TTL_S),
        BOXROOM_LOG_LEVEL: process.env.BOXROOM_E2E_LOG_LEVEL ?? 'warn',
      },
    });
    const created = await dash.api<{ id: string; links: typeof links }>('POST', '/api/rooms', {
      width: 640,
      height: 360,
      fps: 15,
    });
    expect(created.status).toBe(201);
    ({ id: roomId, links } = created.body);
    await until(async () => (await room()).status === 'ready', 30_000, 'the room to be ready');
  });

  afterAll(async () => {
    for (const c of open) c.closeAll();
    await dash?.teardown();
  });

  it('a socket opened with a short-TTL token closes with 4410 within 2 s of exp', async () => {
    const ed = await join('viewer', 'Ed');
    const exp = Date.parse(ed.expiresAt);
    expect(exp - Date.now()).toBeLessThanOrEqual(TTL_S * 1000);
    const c = await connect(ed.token);
    for (const e of await c.allEnded()) {
      expect(e.code, e.what).toBe(e.what === 'stream.flv' ? 0 : WS_CLOSE.tokenExpired);
      expect(e.at - exp, e.what).toBeGreaterThanOrEqual(-50);
      expect(e.at - exp, e.what).toBeLessThan(2000);
    }
  });

  it('renewal keeps the participant id and control; renewed sockets outlive the first token', async () => {
    const ren = await join('participant', 'Ren');
    const exp = Date.parse(ren.expiresAt);
    const req = await dash.api('POST', `/api/rooms/${roomId}/control/request`, undefined, ren.token);
    expect(req.body).toMatchObject({ holder: { id: ren.participantId } });
    const c = await connect(ren.token, true);

    // renew the way the page does: about a third of the life before exp (a renewal in the second of
    // the join would carry the same exp)
    await until(() => Date.now() > exp - 4000, 10_000, 'the renewal time');
    const renewed = await dash.api<{ token: string; expiresAt: string }>(
      'POST',
      `/api/rooms/${roomId}/token`,
      undefined,
      ren.token,
    );
    expect(renewed.status).toBe(200);
    const claims = decodeJwt(renewed.body.token);
    expect(claims).toMatchObject({ sub: ren.participantId, role: 'participant', name: 'Ren', room: roomId });
    // what the room page does: hand the new token to the agent over the session socket
    c.session.ws.send(JSON.stringify({ type: 'renew', token: renewed.body.token }));
    await c.session.waitFor((e) => e.type === 'renewed', 2000, 'the agent to take the renewal');

    await until(() => Date.now() > exp + 2500, 15_000, 'the first token`s exp to pass');
    expect(c.openNow()).toEqual(['session', 'stream', 'stream.flv', 'input']);
    expect((await room()).control?.holder?.id).toBe(ren.participantId);
    // the renewed token works on the API and for new sockets; it still holds control
    const released = await dash.api(
      'POST',
      `/api/rooms/${roomId}/control/release`,
      undefined,
      renewed.body.token,
    );
    expect(released.body).toMatchObject({ holder: null });
    c.closeAll();
  });

  it('kick closes stream, input and session with 4412 within 2 s; the token is refused on every route', async () => {
    const owner = await join('owner', 'Olga');
    const kim = await join('participant', 'Kim');
    const ben = await join('participant', 'Ben');
    const req = await dash.api('POST', `/api/rooms/${roomId}/control/request`, undefined, kim.token);
    expect(req.body).toMatchObject({ holder: { id: kim.participantId } });
    const c = await connect(kim.token, true);
    const bystander = await connect(ben.token);
    // a participant may not kick
    const byBen = await dash.api(
      'POST',
      `/api/rooms/${roomId}/participants/${kim.participantId}/kick`,
      undefined,
      ben.token,
    );
    expect(byBen.status).toBe(403);

    const t0 = Date.now();
    const kicked = await dash.api(
      'POST',
      `/api/rooms/${roomId}/participants/${kim.participantId}/kick`,
      undefined,
      owner.token,
    );
    expect(kicked.status).toBe(204);
    expect(await endingProblems(c, WS_CLOSE.kicked, t0, 2000)).toEqual([]);
    expect(bystander.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    expect((await room()).control?.holder).toBeNull();

    // refused on every route: the agent's (through the proxy) and the dashboard's
    for (const path of ['session', 'stream', 'input']) {
      expect(await wsRefused(edge(kim.token)(path, 'ws')), path).toBe(WS_CLOSE.kicked);
    }
    expect((await fetch(edge(kim.token)('stream.flv', 'http'))).status).toBe(401);
    expect((await fetch(edge(kim.token)('snapshot.jpg', 'http'))).status).toBe(401);
    expect((await dash.api('GET', `/api/rooms/${roomId}`, undefined, kim.token)).status).toBe(403);
    expect((await dash.api('POST', `/api/rooms/${roomId}/token`, undefined, kim.token)).status).toBe(403);
    expect(
      (await dash.api('POST', `/api/rooms/${roomId}/control/request`, undefined, kim.token)).status,
    ).toBe(403);
    bystander.closeAll();
  });

  it('revoking a role`s invite closes that role`s sockets with 4411; its older tokens cannot renew', async () => {
    const vic = await join('viewer', 'Vic');
    const pia = await join('participant', 'Pia');
    const v = await connect(vic.token);
    const p = await connect(pia.token);
    const t0 = Date.now();
    const res = await dash.api<typeof links>('POST', `/api/rooms/${roomId}/invites/viewer/revoke`);
    expect(res.status).toBe(200);
    expect(await endingProblems(v, WS_CLOSE.inviteRevoked, t0, 2000)).toEqual([]);
    expect(p.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    expect((await dash.api('POST', `/api/rooms/${roomId}/token`, undefined, vic.token)).status).toBe(401);
    expect(await wsRefused(edge(vic.token)('stream', 'ws'))).toBe(WS_CLOSE.inviteRevoked);
    // the new viewer link works at once
    links = res.body;
    const val = await join('viewer', 'Val');
    const later = await connect(val.token);
    expect(later.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    later.closeAll();
    p.closeAll();
  });
});
