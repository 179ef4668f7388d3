import { spawn } from 'node:child_process';
import { xClientEnv } from './agent-helpers.js';

/**
 * An xev window on a room's display (the room's openbox maximizes and focuses it): what the room's X
 * server delivered, button and key events with their state, as a program in the room sees them.
 */
export interface XevWindow {
  /** a mark in xev's output: the returned function reads everything printed after it */
  since(): () => string;
  stop(): void;
}

export function startXev(display: number, runDir: string, name: string): XevWindow {
  const xev = spawn('stdbuf', ['-oL', 'xev', '-name', name], {
    env: xClientEnv(display, runDir),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Buffer[] = [];
  xev.stdout.on('data', (d: Buffer) => chunks.push(d));
  return {
    since: () => {
      const n = chunks.length;
      return () => Buffer.concat(chunks.slice(n)).toString();
    },
    stop: () => void xev.kill(),
  };
}

/** xev's events in its output `text`, one block each: `{ type: 'ButtonPress', text }`. */
export function xevEvents(text: string): Array<{ type: string; text: string }> {
  return text
    .split(/\n\n+/)
    .map((t) => ({ type: /^(\w+) event/.exec(t.trim())?.[1] ?? '', text: t }))
    .filter((e) => e.type);
}

/** The buttons of the ButtonPress (or ButtonRelease) events in `text`, in order. */
export function xevButtons(text: string, type: 'ButtonPress' | 'ButtonRelease'): number[] {
  return xevEvents(text)
    .filter((e) => e.type === type)
    .map((e) => Number(/button (\d+)/.exec(e.text)![1]));
}

/** The KeyPress events in `text` as `state keysym-name`, e.g. `0x4 Escape` (0x4 Ctrl, 0x8 Alt). */
export function xevKeyPresses(text: string): string[] {
  return xevEvents(text)
    .filter((e) => e.type === 'KeyPress')
    .map(
      (e) => `${/state (0x[0-9a-f]+)/.exec(e.text)![1]} ${/keysym 0x[0-9a-f]+, (\w+)\)/.exec(e.text)![1]}`,
    );
}
