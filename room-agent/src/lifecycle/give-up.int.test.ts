/**
 * Failed is not restarting: a room whose app cannot start (an `xterm` that always exits 1, first on
 * PATH) is restarted with backoff for BOXROOM_DESKTOP_GIVE_UP_S, then the agent gives up: open
 * stream and session sockets close with 4504 and a reason naming what did not come back, /healthz
 * says failed, and the agent exits (code 3) so the driver marks the room failed.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';

const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

describe('agent gives up on a desktop that cannot come back', () => {
  const bin = mkdtempSync(join(tmpdir(), 'boxroom-broken-xterm-'));
  let agent: RunningAgent | undefined;

  afterAll(async () => {
    await agent?.stop();
    rmSync(bin, { recursive: true, force: true });
  });

  it('closes sockets with 4504 and why, reports failed, and exits 3', async () => {
    writeFileSync(join(bin, 'xterm'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'xterm'), 0o755);
    // the app runs as the desktop user (the agent as root): mkdtemp's 0700 would hide the broken
    // xterm from it, and the search would go on to the real one
    chmodSync(bin, 0o755);
    const t0 = Date.now();
    agent = await startAgent({ PATH: `${bin}:${process.env.PATH}`, BOXROOM_DESKTOP_GIVE_UP_S: '4' });
    const exited = new Promise<number | null>((r) => agent!.proc.once('exit', (code) => r(code)));
    const token = await agent.token('p1', 'participant');
    // the HTTP side comes up while the desktop (re)starts
    let session: WebSocket | undefined;
    for (let i = 0; i < 100 && !session; i++) {
      const ws = new WebSocket(`${agent.wsUrl}/session?token=${token}`);
      try {
        await opened(ws);
        session = ws;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const stream = new WebSocket(`${agent.wsUrl}/stream?token=${token}`);
    await opened(stream);
    const [s, v] = await Promise.all([closeOf(session!), closeOf(stream)]);
    const gaveUpAfter = Date.now() - t0;
    for (const c of [s, v]) {
      expect(c.code).toBe(4504);
      expect(c.reason).toMatch(
        /^room failed: the desktop did not come back in 4 s \(app backoff after \d+ restarts\)$/,
      );
    }
    expect(gaveUpAfter).toBeGreaterThanOrEqual(4000);
    expect(gaveUpAfter).toBeLessThan(10_000);
    expect(await exited).toBe(3);
    expect(agent.output()).toContain('room failed: the desktop cannot come back');
  }, 30_000);
});
