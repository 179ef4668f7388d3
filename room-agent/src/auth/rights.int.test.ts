import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AGENT_AUDIENCE, WS_CLOSE, type Role } from '@boxroom/contracts';
import { postJson, until } from '../../../test/support/agent-helpers.js';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { signToken } from '../../../test/support/keys.js';
import { sleep } from '../../../test/support/processes.js';
import { openConnections, type ParticipantConnections } from '../../../test/support/rights-sockets.js';

const nowS = () => Math.floor(Date.now() / 1000);

/** Resolves with the close code of a WebSocket the server closes at once. */
function wsRefused(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    ws.on('close', (code) => resolve(code));
  });
}

describe('room agent: rights end while connections are open (real agent, real sockets)', () => {
  let agent: RunningAgent;
  const open: ParticipantConnections[] = [];
  const token = (sub: string, role: Role, extra: { ttlS?: number; iat?: number; aud?: string } = {}) =>
    signToken(agent.keys, { room: agent.roomId, sub, role, ...extra });
  const connect = async (tok: string, input = false) => {
    const c = await openConnections(
      (path, scheme) => `${scheme === 'ws' ? agent.wsUrl : agent.url}/${path}?token=${tok}`,
      { input },
    );
    open.push(c);
    return c;
  };
  const dashboard = () => token('boxroom-dashboard', 'operator', { aud: AGENT_AUDIENCE, ttlS: 60 });
  const setRights = async (body: unknown) => postJson(`${agent.url}/rights`, await dashboard(), body);

  beforeAll(async () => {
    agent = await startAgent({ BOXROOM_CONTROL_GRACE_MS: '0' });
    await agent.waitHealthy();
  });

  afterAll(async () => {
    for (const c of open) c.closeAll();
    if (agent && agent.proc.exitCode === null) await agent.stop();
  });

  it('closes session, stream (WS and HTTP-FLV) and input with 4410 within 2 s of the token`s exp', async () => {
    const tok = await token('ella', 'participant', { ttlS: 4 });
    const exp = (nowS() + 4) * 1000;
    expect((await postJson(`${agent.url}/control/request`, tok)).body).toMatchObject({
      holder: { id: 'ella' },
    });
    const c = await connect(tok, true);
    expect(c.openNow()).toEqual(['session', 'stream', 'stream.flv', 'input']);
    const ended = await c.allEnded();
    for (const e of ended) {
      expect(e.code, e.what).toBe(e.what === 'stream.flv' ? 0 : WS_CLOSE.tokenExpired);
      // the timer fires at exp; within 2 s of it, never early
      expect(e.at - exp, e.what).toBeGreaterThanOrEqual(-50);
      expect(e.at - exp, e.what).toBeLessThan(2000);
    }
    // and a new connection with it is refused (the verifier's 5 s clock tolerance aside)
    await sleep(5500);
    expect(await wsRefused(`${agent.wsUrl}/session?token=${tok}`)).toBe(WS_CLOSE.unauthorized);
  });

  it('a renewal sent on the session socket keeps every socket of that participant open past exp', async () => {
    const tok = await token('rene', 'participant', { ttlS: 4 });
    const exp = (nowS() + 4) * 1000;
    await postJson(`${agent.url}/control/request`, tok);
    const c = await connect(tok, true);
    const other = await connect(await token('otto', 'viewer', { ttlS: 4 }));
    // another participant's token is not a renewal of this one
    c.session.ws.send(JSON.stringify({ type: 'renew', token: await token('otto', 'viewer', { ttlS: 600 }) }));
    // at most one renewal a second per socket: this one is ignored
    const renewal = JSON.stringify({
      type: 'renew',
      token: await token('rene', 'participant', { ttlS: 600 }),
    });
    c.session.ws.send(renewal);
    await sleep(1100);
    expect(c.session.events.filter((e) => e.type === 'renewed')).toHaveLength(0);
    c.session.ws.send(renewal);
    const renewed = await c.session.waitFor((e) => e.type === 'renewed', 2000, 'renewed');
    expect(renewed).toMatchObject({ exp: expect.any(Number) });
    expect(c.session.events.filter((e) => e.type === 'renewed')).toHaveLength(1);
    await until(() => Date.now() > exp + 2500, 10_000, 'the old exp to pass');
    expect(c.openNow()).toEqual(['session', 'stream', 'stream.flv', 'input']);
    expect(other.openNow()).toEqual([]);
    const state = await fetch(`${agent.url}/state?token=${await dashboard()}`).then((r) => r.json());
    expect(state.control.holder).toMatchObject({ id: 'rene' });
    c.closeAll();
    await postJson(`${agent.url}/control/release`, await token('rene', 'participant'));
  });

  it('a kick closes session, stream and input with 4412 within 2 s; the token is refused afterwards', async () => {
    const tok = await token('kim', 'participant');
    await postJson(`${agent.url}/control/request`, tok);
    const c = await connect(tok, true);
    const bystander = await connect(await token('ben', 'participant'));
    // only the dashboard's own tokens may set rights
    const asOwner = await postJson(`${agent.url}/rights`, await token('olga', 'owner'), {
      kicked: [],
      revokedBefore: {},
    });
    expect(asOwner.status).toBe(403);
    expect((await setRights({ kicked: 'kim' })).status).toBe(400);

    const t0 = Date.now();
    const res = await setRights({
      kicked: [{ participantId: 'kim', until: nowS() + 600 }],
      revokedBefore: {},
    });
    expect(res.status).toBe(204);
    for (const e of await c.allEnded()) {
      expect(e.code, e.what).toBe(e.what === 'stream.flv' ? 0 : WS_CLOSE.kicked);
      expect(e.at - t0, e.what).toBeLessThan(2000);
    }
    expect(bystander.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    // control and queue place gone at once, no grace
    const state = await fetch(`${agent.url}/state?token=${await dashboard()}`).then((r) => r.json());
    expect(state.control.holder).toBeNull();
    // refused on every route
    for (const path of ['session', 'stream', 'input']) {
      expect(await wsRefused(`${agent.wsUrl}/${path}?token=${tok}`), path).toBe(WS_CLOSE.kicked);
    }
    expect((await fetch(`${agent.url}/stream.flv?token=${tok}`)).status).toBe(401);
    expect((await fetch(`${agent.url}/state?token=${tok}`)).status).toBe(401);
    expect((await postJson(`${agent.url}/control/request`, tok)).status).toBe(401);
    // a fresh token of the same participant is refused too, and cannot renew
    const fresh = await token('kim', 'participant');
    expect(await wsRefused(`${agent.wsUrl}/session?token=${fresh}`)).toBe(WS_CLOSE.kicked);
    bystander.closeAll();
  });

  it('a revocation closes that role`s sockets with 4411 and refuses its older tokens; others stay', async () => {
    const vic = await token('vic', 'viewer');
    const v = await connect(vic);
    const p = await connect(await token('pia', 'participant'));
    const before = nowS() + 1;
    const t0 = Date.now();
    expect((await setRights({ kicked: [], revokedBefore: { viewer: before } })).status).toBe(204);
    for (const e of await v.allEnded()) {
      expect(e.code, e.what).toBe(e.what === 'stream.flv' ? 0 : WS_CLOSE.inviteRevoked);
      expect(e.at - t0, e.what).toBeLessThan(2000);
    }
    expect(p.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    expect(await wsRefused(`${agent.wsUrl}/stream?token=${vic}`)).toBe(WS_CLOSE.inviteRevoked);
    // a viewer token issued after the revocation works
    const later = await connect(await token('val', 'viewer', { iat: before }));
    expect(later.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    // re-sending the same rights (the dashboard's periodic call) changes nothing
    expect((await setRights({ kicked: [], revokedBefore: { viewer: before } })).status).toBe(204);
    await sleep(300);
    expect(later.openNow()).toEqual(['session', 'stream', 'stream.flv']);
    later.closeAll();
    p.closeAll();
  });
});
