import { SignJWT, importPKCS8 } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_AUDIENCE } from '@boxroom/contracts';
import { until } from '../../../test/support/agent-helpers.js';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';

/** A token like the dashboard's own calls to an agent carry: operator, this room, aud boxroom-agent. */
async function dashboardToken(agent: RunningAgent): Promise<string> {
  const key = await importPKCS8(agent.keys.privatePem, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ room: agent.roomId, role: 'operator', name: 'dashboard', aud: AGENT_AUDIENCE })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('boxroom')
    .setSubject('dashboard')
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

const exitOf = (agent: RunningAgent) =>
  new Promise<number | null>((resolve) =>
    agent.proc.exitCode !== null
      ? resolve(agent.proc.exitCode)
      : agent.proc.once('exit', (code) => resolve(code)),
  );

describe('BOXROOM_DASHBOARD_SILENCE_S (real agent)', () => {
  let agent: RunningAgent | undefined;
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });

  it('keeps running while the dashboard calls, and stops (exit 0) once it has not for that long', async () => {
    agent = await startAgent({
      BOXROOM_DASHBOARD_SILENCE_S: '3',
      BOXROOM_WIDTH: '640',
      BOXROOM_HEIGHT: '480',
    });
    const exited = exitOf(agent);
    const token = await dashboardToken(agent);
    const a = agent;
    // the dashboard's first call, as soon as the agent listens (its silence counts from then)
    await until(
      () =>
        fetch(`${a.url}/state`, { headers: { authorization: `Bearer ${token}` } }).then(
          (r) => r.status === 200,
          () => false,
        ),
      20_000,
      'the agent to answer',
    );
    const participant = await agent.token('p1', 'participant');
    // 5 s of dashboard polls every second (and a participant's calls, which do not count)
    const t0 = Date.now();
    while (Date.now() - t0 < 5_000) {
      const res = await fetch(`${agent.url}/state`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(agent.proc.exitCode).toBe(null);
    // now only the participant calls: the dashboard is silent
    const silentSince = Date.now();
    const poll = setInterval(
      () =>
        void fetch(`${agent!.url}/state`, { headers: { authorization: `Bearer ${participant}` } }).catch(
          () => {},
        ),
      500,
    );
    try {
      expect(await exited).toBe(0);
    } finally {
      clearInterval(poll);
    }
    const after = Date.now() - silentSince;
    expect(after).toBeGreaterThanOrEqual(2_000);
    expect(after).toBeLessThan(9_000);
    expect(agent.output()).toMatch(/no dashboard has called this room/);
    await until(() => /"msg":"stopped"/.test(agent!.output()), 2_000, 'the graceful stop');
  }, 40_000);
});
