import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WS_CLOSE } from '@boxroom/contracts';
import { createRootLogger } from '../logger.js';
import { InputGate } from './input-gate.js';
import { HeldInput } from './held-input.js';
import { sendReleasesFresh } from './release-channel.js';
import { encodeKeyEvent, encodePointerEvent, KEYSYM } from './rfb-messages.js';
import {
  openClient,
  rfbHandshake,
  send,
  startWsServer,
  until,
  type TestClient,
  type WsTestServer,
} from './input-test-support.js';
import { startX11, type X11Fixture } from './x11-test-fixture.js';

/**
 * The gate between a WebSocket client and a real x11vnc on a real Xvfb, checked with the X server's
 * own view: x11vnc injects through XTEST, so the XTEST slave devices show what is held down.
 */
describe('input gate against Xvfb + x11vnc', () => {
  let x: X11Fixture;
  let server: WsTestServer;
  let gate: InputGate;
  let shiftKeycode: number;
  const ids = ['alice', 'bob', 'carol'];

  const downIn = async (device: string): Promise<number[]> =>
    [...(await x.x('xinput', 'query-state', device)).matchAll(/(?:key|button)\[(\d+)\]=down/g)].map((m) =>
      Number(m[1]),
    );
  const heldKeys = () => downIn('Virtual core XTEST keyboard');
  const heldButtons = () => downIn('Virtual core XTEST pointer');
  const mouse = async () => {
    const m = /x:(\d+) y:(\d+)/.exec(await x.x('xdotool', 'getmouselocation'));
    return { x: Number(m?.[1]), y: Number(m?.[2]) };
  };
  const mouseAt = async (px: number, py: number) => {
    const p = await mouse();
    return p.x === px && p.y === py;
  };
  const nothingHeld = async () => (await heldKeys()).length === 0 && (await heldButtons()).length === 0;

  async function controller(): Promise<TestClient> {
    const client = await openClient(server.url);
    const init = await rfbHandshake(client.ws, client.reader);
    expect(init).toMatchObject({ width: 1280, height: 720 });
    return client;
  }

  beforeAll(async () => {
    x = await startX11(160);
    const keymap = await x.x('xmodmap', '-pke');
    shiftKeycode = Number(/keycode\s+(\d+) = Shift_L/.exec(keymap)?.[1]);
    gate = new InputGate({
      vncSocket: x.vncSocket,
      logger: createRootLogger(process.env.BOXROOM_LOG_LEVEL ?? 'silent'),
    });
    server = await startWsServer((ws) => void gate.admit(ws, ids.shift() ?? 'anon'));
  });

  afterAll(async () => {
    await gate?.stop();
    await server?.close();
    await x?.stop();
  });

  it('holds Shift_L and button 1 for the controller, and revoke releases both and closes with 4409', async () => {
    const alice = await controller();
    await send(alice.ws, encodePointerEvent(0, 100, 150));
    await until(() => mouseAt(100, 150), 'the pointer at 100,150', 5000, 20);

    await send(alice.ws, encodeKeyEvent(true, KEYSYM.shiftL));
    await send(alice.ws, encodePointerEvent(1, 120, 160));
    await until(
      async () => (await heldKeys()).includes(shiftKeycode) && (await heldButtons()).includes(1),
      'Shift_L and button 1 held',
      5000,
      20,
    );
    expect(gate.heldState()).toMatchObject({
      participantId: 'alice',
      keysyms: [KEYSYM.shiftL],
      buttonMask: 1,
      x: 120,
      y: 160,
    });

    await gate.revoke(WS_CLOSE.controlRevoked, 'control passed to bob');
    expect(await alice.closed).toEqual({ code: WS_CLOSE.controlRevoked, reason: 'control passed to bob' });
    await until(nothingHeld, 'no key or button held', 5000, 20);
    // the release happened where the button went down: no stray pointer motion
    expect(await mouse()).toEqual({ x: 120, y: 160 });
  });

  it('releases a button pressed by a connection x11vnc has since lost, over a fresh one', async () => {
    // one connection presses and goes away (as x11vnc drops a client it disliked)
    expect(await sendReleasesFresh(x.vncSocket, encodePointerEvent(1, 200, 220), 3000)).toBe(true);
    await until(async () => (await heldButtons()).includes(1), 'button 1 held', 5000, 20);
    // another releases it: what the input gate does for a controller x11vnc dropped
    const held = new HeldInput();
    held.pointer(1, 200, 220);
    expect(await sendReleasesFresh(x.vncSocket, held.encodeReleases({ freshClient: true })!, 3000)).toBe(
      true,
    );
    await until(nothingHeld, 'no button held', 5000, 20);
  });

  it('lets the next controller move the pointer and type', async () => {
    const bob = await controller();
    expect(gate.participantId).toBe('bob');
    await send(bob.ws, encodePointerEvent(0, 300, 200));
    await until(() => mouseAt(300, 200), 'the pointer at 300,200', 5000, 20);
    await send(bob.ws, encodeKeyEvent(true, KEYSYM.shiftL));
    await until(async () => (await heldKeys()).includes(shiftKeycode), 'Shift_L held by bob', 5000, 20);
    await send(bob.ws, encodeKeyEvent(false, KEYSYM.shiftL));
    await until(nothingHeld, 'Shift_L released by bob', 5000, 20);

    // hand-off by admitting the next client: bob's held key is released before carol gets in
    await send(bob.ws, encodeKeyEvent(true, KEYSYM.controlL));
    await until(async () => (await heldKeys()).length === 1, 'Control_L held by bob', 5000, 20);
    const carol = await controller();
    expect((await bob.closed).code).toBe(WS_CLOSE.controlRevoked);
    await until(nothingHeld, 'bob’s Control_L released', 5000, 20);

    // a controller who just goes away leaves nothing pressed either
    await send(carol.ws, encodePointerEvent(4, 310, 210));
    await until(async () => (await heldButtons()).includes(3), 'carol’s right button held', 5000, 20);
    carol.ws.close();
    await carol.closed;
    await until(nothingHeld, 'carol’s button released after she left', 5000, 20);
    expect(gate.participantId).toBeNull();
  });
});
