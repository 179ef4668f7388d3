import { PassThrough } from 'node:stream';
import type { ClipboardPolicy } from '@boxroom/contracts';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../supervisor/test-support.js';
import { ClipboardBridge, type ClipboardOutgoing } from './clipboard-bridge.js';

function helperFrame(kind: string, text = ''): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = kind.charCodeAt(0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function setup(o: { available?: boolean; maxBytes?: number } = {}) {
  let policy: ClipboardPolicy = { copyOut: true, pasteIn: true };
  let holder: string | null = 'alice';
  const sent: Array<[string, ClipboardOutgoing]> = [];
  const bridge = new ClipboardBridge({
    log: captureLogger().log,
    policy: () => policy,
    controllerId: () => holder,
    sendTo: (id, ev) => sent.push([id, ev]),
    available: o.available ?? true,
    ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
  });
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const written: Buffer[] = [];
  stdin.on('data', (c: Buffer) => written.push(c));
  bridge.takeStdin(stdin);
  bridge.takeStdout(stdout);
  const helperSays = async (b: Buffer) => {
    stdout.write(b);
    await new Promise((r) => setImmediate(r));
  };
  const pasted = async () => {
    await new Promise((r) => setImmediate(r));
    return Buffer.concat(written);
  };
  return {
    bridge,
    sent,
    helperSays,
    pasted,
    setPolicy: (p: ClipboardPolicy) => (policy = p),
    setHolder: (h: string | null) => (holder = h),
  };
}

describe('ClipboardBridge', () => {
  it('is ready when the helper says so, and the readiness probe follows each spawn', async () => {
    const t = setup();
    const abort = new AbortController();
    let ready = false;
    void t.bridge.whenReady(abort.signal).then(() => (ready = true));
    await t.helperSays(helperFrame('R'));
    expect(ready).toBe(true);
    t.bridge.takeStdin(new PassThrough()); // a new spawn is not ready until its own 'R'
    const aborted = new AbortController();
    const pending = t.bridge.whenReady(aborted.signal);
    aborted.abort(new Error('exited'));
    await expect(pending).rejects.toThrow('exited');
  });

  it("writes the controller's paste for the helper, UTF-8 with its byte length", async () => {
    const t = setup();
    await t.helperSays(helperFrame('R'));
    expect(t.bridge.paste('alice', 'Grüße €✓ 日本', 'session')).toBe(true);
    const out = await t.pasted();
    expect(out.readUInt32BE(0)).toBe(21);
    expect(out.subarray(4).toString('utf8')).toBe('Grüße €✓ 日本');
    expect(t.sent).toEqual([]);
    // the helper answers each paste in order: the sender learns it is in the room's selections
    t.setHolder('bob');
    expect(t.bridge.paste('bob', 'b', 'rfb')).toBe(true);
    await t.helperSays(helperFrame('P'));
    await t.helperSays(helperFrame('F', "the room's selections could not be taken"));
    expect(t.sent).toEqual([
      ['alice', { type: 'clipboard/pasted', bytes: 21 }],
      [
        'bob',
        {
          type: 'clipboard/refused',
          direction: 'in',
          reason: 'unavailable',
          message: "the room's selections could not be taken",
        },
      ],
    ]);
  });

  it('refuses a paste from a non-controller, with paste-in off, too large, or without the helper', async () => {
    const t = setup({ maxBytes: 8 });
    const reasons = () => t.sent.map(([id, ev]) => [id, ev.type === 'clipboard/refused' && ev.reason]);
    expect(t.bridge.paste('alice', 'x', 'session')).toBe(false); // helper not ready yet
    await t.helperSays(helperFrame('R'));
    expect(t.bridge.paste('bob', 'x', 'session')).toBe(false);
    t.setPolicy({ copyOut: true, pasteIn: false });
    expect(t.bridge.paste('alice', 'x', 'rfb')).toBe(false);
    t.setPolicy({ copyOut: true, pasteIn: true });
    expect(t.bridge.paste('alice', '123456789', 'session')).toBe(false);
    expect(t.bridge.paste('alice', '12345678', 'session')).toBe(true);
    expect(reasons()).toEqual([
      ['alice', 'unavailable'],
      ['bob', 'not-controller'],
      ['alice', 'policy'],
      ['alice', 'too-large'],
    ]);
    expect(t.sent.every(([, ev]) => ev.type === 'clipboard/refused' && ev.direction === 'in')).toBe(true);
    expect((await t.pasted()).subarray(4).toString()).toBe('12345678');
    const unbuilt = setup({ available: false });
    await unbuilt.helperSays(helperFrame('R'));
    expect(unbuilt.bridge.paste('alice', 'x', 'session')).toBe(false);
  });

  it('sends a copy in the room to the controller only, and nothing of it when copy-out is off', async () => {
    const t = setup();
    await t.helperSays(helperFrame('C', 'Grüße €✓ 日本'));
    expect(t.sent).toEqual([['alice', { type: 'clipboard', text: 'Grüße €✓ 日本' }]]);
    t.setPolicy({ copyOut: false, pasteIn: true });
    await t.helperSays(helperFrame('C', 'secret'));
    expect(t.sent[1]).toEqual([
      'alice',
      {
        type: 'clipboard/refused',
        direction: 'out',
        reason: 'policy',
        message: "the room's owner turned copy-out off",
      },
    ]);
    expect(JSON.stringify(t.sent)).not.toContain('secret');
    t.setPolicy({ copyOut: true, pasteIn: true });
    t.setHolder(null);
    await t.helperSays(helperFrame('C', 'nobody'));
    expect(t.sent).toHaveLength(2);
  });

  it("passes on the helper's refusals, in words", async () => {
    const t = setup();
    await t.helperSays(helperFrame('X', 'too large'));
    await t.helperSays(helperFrame('X', 'the copied data is not text'));
    expect(
      t.sent.map(([, ev]) => ev.type === 'clipboard/refused' && [ev.direction, ev.reason, ev.message]),
    ).toEqual([
      ['out', 'too-large', 'clipboard text is limited to 128 KiB'],
      ['out', 'not-text', 'what was copied in the room is not text'],
    ]);
  });
});
