import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLIPBOARD_BYTES, type SessionEvent } from '@boxroom/contracts';
import { openSession, postJson, until, type SessionRecorder } from '../../../test/support/agent-helpers.js';
import { startAgent, type RunningAgent } from '../../../test/support/agent-process.js';
import { RfbTestClient } from '../../../test/support/rfb-test-client.js';
import { encodeClientCutText } from '../input/rfb-messages.js';

/**
 * The room's clipboard through the real agent, boxroom-clipboard, Xvfb and x11vnc, read and written
 * inside the room with xclip (an X client of its own, not ours). The page's side is in
 * test/e2e/clipboard.int.test.ts.
 */

const run = promisify(execFile);
const TEXT = 'Grüße €✓ 日本';

/** What xclip reads from `selection` on the room's display (UTF-8). */
async function xclipRead(agent: RunningAgent, selection: 'clipboard' | 'primary'): Promise<string> {
  const { stdout } = await run('xclip', ['-o', '-selection', selection], {
    env: agent.xEnv(),
    timeout: 5000,
  });
  return stdout;
}

/** A program in the room copies `text`: xclip owns CLIPBOARD (in the foreground: ours to end). */
const copiers: ChildProcess[] = [];
function copyInRoom(agent: RunningAgent, text: string): void {
  const p = spawn('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
    env: agent.xEnv(),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  p.stdin.end(text);
  copiers.push(p);
}

type Room = Awaited<ReturnType<typeof controlled>> & { agent: RunningAgent };

/** A terminal room (cheap capture) with alice in control and bob and vic watching; `close` ends it. */
async function controlledRoom(env: Record<string, string>): Promise<Room & { close(): Promise<void> }> {
  const agent = await startAgent({ BOXROOM_CAPTURE: 'x11grab', BOXROOM_FPS: '5', ...env });
  try {
    await agent.waitHealthy();
    expect((await agent.health()).body.processes.map((p) => p.name)).toContain('clipboard');
    const t = await controlled(agent);
    return {
      ...t,
      agent,
      close: async () => {
        for (const s of Object.values(t.sessions)) s.close();
        await agent.stop();
      },
    };
  } catch (err) {
    await agent.stop();
    throw err;
  }
}

async function controlled(agent: RunningAgent) {
  const [alice, bob, viewer] = await Promise.all([
    agent.token('alice', 'participant'),
    agent.token('bob', 'participant'),
    agent.token('vic', 'viewer'),
  ]);
  const sessions = {
    alice: await openSession(`${agent.wsUrl}/session?token=${alice}`),
    bob: await openSession(`${agent.wsUrl}/session?token=${bob}`),
    vic: await openSession(`${agent.wsUrl}/session?token=${viewer}`),
  };
  expect((await postJson(`${agent.url}/control/request`, alice)).body).toMatchObject({
    holder: { id: 'alice' },
  });
  return { tokens: { alice, bob, viewer }, sessions };
}

const paste = (s: SessionRecorder, text: string) => s.ws.send(JSON.stringify({ type: 'clipboard', text }));
const clipboardEvents = (s: SessionRecorder) => s.events.filter((e) => e.type.startsWith('clipboard'));
const nth = (s: SessionRecorder, type: SessionEvent['type'], n: number) =>
  until(() => s.events.filter((e) => e.type === type)[n], 5000, `${type} #${n + 1}`);

afterEach(() => {
  for (const p of copiers.splice(0)) p.kill();
});

describe('the room clipboard, both ways, controller only (default policy)', () => {
  let agent: RunningAgent;
  let t: Awaited<ReturnType<typeof controlledRoom>>;

  beforeAll(async () => {
    t = await controlledRoom({ BOXROOM_CONTROL_GRACE_MS: '0' });
    agent = t.agent;
  }, 60_000);
  afterAll(() => t?.close());

  it("the controller's paste is the room's CLIPBOARD and PRIMARY, UTF-8 intact", async () => {
    paste(t.sessions.alice, TEXT);
    expect(await nth(t.sessions.alice, 'clipboard/pasted', 0)).toMatchObject({ bytes: 21 });
    expect(await xclipRead(agent, 'clipboard')).toBe(TEXT);
    expect(await xclipRead(agent, 'primary')).toBe(TEXT);
  });

  it('a paste from a participant without control, or too large, is refused and changes nothing', async () => {
    paste(t.sessions.bob, 'from bob');
    expect(await nth(t.sessions.bob, 'clipboard/refused', 0)).toMatchObject({
      direction: 'in',
      reason: 'not-controller',
    });
    paste(t.sessions.alice, 'x'.repeat(MAX_CLIPBOARD_BYTES + 1));
    expect(await nth(t.sessions.alice, 'clipboard/refused', 0)).toMatchObject({
      direction: 'in',
      reason: 'too-large',
      message: 'clipboard text is limited to 128 KiB (this is 129 KiB)',
    });
    expect(await xclipRead(agent, 'clipboard')).toBe(TEXT);
  });

  it("a copy in the room reaches the controller's session only", async () => {
    const before = {
      bob: clipboardEvents(t.sessions.bob).length,
      vic: clipboardEvents(t.sessions.vic).length,
    };
    copyInRoom(agent, 'copied ✓ in the room');
    expect(await nth(t.sessions.alice, 'clipboard', 0)).toMatchObject({ text: 'copied ✓ in the room' });
    // a later event to everyone shows the others' sockets were read past the copy
    await postJson(`${agent.url}/control/release`, t.tokens.alice);
    for (const s of [t.sessions.bob, t.sessions.vic])
      await s.waitFor((e) => e.type === 'control' && e.control.holder === null, 5000, 'the release');
    expect(clipboardEvents(t.sessions.bob)).toHaveLength(before.bob);
    expect(clipboardEvents(t.sessions.vic)).toHaveLength(before.vic);
    // nobody in control: a copy goes to nobody
    copyInRoom(agent, 'to nobody');
    await until(async () => (await xclipRead(agent, 'clipboard')) === 'to nobody', 5000, 'the copy');
    await new Promise((r) => setTimeout(r, 300));
    expect(clipboardEvents(t.sessions.alice).filter((e) => e.type === 'clipboard')).toHaveLength(1);
    await postJson(`${agent.url}/control/request`, t.tokens.alice);
  });

  it("a standard RFB client's ClientCutText lands in CLIPBOARD and PRIMARY (Latin-1, as RFB says)", async () => {
    await until(
      async () => (await postJson(`${agent.url}/control/request`, t.tokens.alice)).body.holder,
      5000,
      'control',
    );
    const rfb = await RfbTestClient.open(`${agent.wsUrl}/input?token=${t.tokens.alice}`);
    try {
      await rfb.handshake();
      await rfb.waitForFirstUpdate();
      rfb.ws.send(encodeClientCutText('Grüße, café'));
      await until(async () => (await xclipRead(agent, 'primary')) === 'Grüße, café', 5000, 'the cut text');
      expect(await xclipRead(agent, 'clipboard')).toBe('Grüße, café');
    } finally {
      rfb.close();
    }
  });
});

describe('the room clipboard with the owner turned both directions off', () => {
  let agent: RunningAgent;
  let t: Awaited<ReturnType<typeof controlledRoom>>;

  beforeAll(async () => {
    t = await controlledRoom({ BOXROOM_CLIPBOARD_COPY_OUT: 'off', BOXROOM_CLIPBOARD_PASTE_IN: 'off' });
    agent = t.agent;
  }, 60_000);
  afterAll(() => t?.close());

  it('refuses the paste and sends nothing of a copy, and says so to the controller', async () => {
    expect(t.sessions.alice.events[0]).toMatchObject({
      type: 'hello',
      settings: { clipboard: { copyOut: false, pasteIn: false }, files: { upload: true, download: true } },
    });
    copyInRoom(agent, 'before');
    await nth(t.sessions.alice, 'clipboard/refused', 0);
    paste(t.sessions.alice, 'from alice');
    expect(await nth(t.sessions.alice, 'clipboard/refused', 1)).toMatchObject({
      direction: 'in',
      reason: 'policy',
    });
    expect(await xclipRead(agent, 'clipboard')).toBe('before');
    expect(clipboardEvents(t.sessions.alice)[0]).toMatchObject({
      type: 'clipboard/refused',
      direction: 'out',
      reason: 'policy',
    });
    expect(JSON.stringify(t.sessions.alice.events)).not.toContain('before');
  });
});
