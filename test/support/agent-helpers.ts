import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import type { SessionEvent } from '@boxroom/contracts';

const run = promisify(execFile);

/** Polls `fn` every 50 ms until it returns something truthy. */
export async function until<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POST with a bearer token; JSON in and out. */
export async function postJson(
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/**
 * The environment of an X client on a room's display: Xvfb runs with -auth, and the agent keeps the
 * cookie in `<runDir>/xauthority` (readable by the agent's uid only: tests run as that uid or root).
 */
export function xClientEnv(display: number, runDir: string): NodeJS.ProcessEnv {
  return { ...process.env, DISPLAY: `:${display}`, XAUTHORITY: join(runDir, 'xauthority') };
}

/** Keys and buttons the X server reports held on the XTEST devices x11vnc injects through. */
export async function xHeld(display: number, runDir: string): Promise<string[]> {
  const env = xClientEnv(display, runDir);
  const held: string[] = [];
  for (const dev of ['Virtual core XTEST keyboard', 'Virtual core XTEST pointer']) {
    const { stdout } = await run('xinput', ['query-state', dev], { env });
    held.push(
      ...stdout
        .split('\n')
        .filter((l) => /(key|button)\[\d+\]=down/.test(l))
        .map((l) => l.trim()),
    );
  }
  return held;
}

/** Where X says the pointer is. */
export async function xPointer(display: number, runDir: string): Promise<string> {
  return xdotool(display, runDir, 'getmouselocation');
}

/** xdotool on the room's display (typing into the room's terminal, reading the pointer), its output. */
export async function xdotool(display: number, runDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('xdotool', args, { env: xClientEnv(display, runDir) });
  return stdout;
}

/** Four 1-pixel pointer moves 50 ms apart, there and back twice. */
const WIGGLE = Array.from({ length: 4 }, (_, i) => [
  ...['mousemove_relative', '--', i % 2 === 0 ? '1' : '-1', '0'],
  ...['sleep', '0.05'],
]).flat();

/**
 * Moves the room's pointer a pixel to and fro for 200 ms; it ends where it was. A still screen streams
 * only keepalive frames, two a second; the pointer is drawn into the picture, so each move is a change
 * and a frame: a test that waits for N frames presented calls this between its reads and gets them at
 * about 15 a second. Before the room's X server is up it only waits the 200 ms.
 */
export async function wigglePointer(display: number, runDir: string): Promise<void> {
  await xdotool(display, runDir, ...WIGGLE).catch(() => new Promise((r) => setTimeout(r, 200)));
}

/** A session socket that collects every event it receives. */
export interface SessionRecorder {
  ws: WebSocket;
  events: SessionEvent[];
  /** resolves with the first recorded event (past or future) matching `pred` */
  waitFor(pred: (e: SessionEvent) => boolean, timeoutMs: number, what: string): Promise<SessionEvent>;
  closed: Promise<number>;
  close(): void;
}

export async function openSession(url: string): Promise<SessionRecorder> {
  const ws = new WebSocket(url);
  const events: SessionEvent[] = [];
  ws.on('message', (d) => events.push(JSON.parse(String(d)) as SessionEvent));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const rec: SessionRecorder = {
    ws,
    events,
    waitFor: (pred, timeoutMs, what) => until(() => events.find(pred), timeoutMs, what),
    closed,
    close: () => ws.close(),
  };
  await rec.waitFor((e) => e.type === 'hello', 5000, 'session hello');
  return rec;
}
