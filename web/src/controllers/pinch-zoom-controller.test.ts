// @vitest-environment happy-dom
/**
 * Gesture recognition as the stage gets it: noVNC's own gesture handler (the installed version, as
 * RFB attaches it to its canvas) turns touches into taps, drags, long presses, two-finger scrolls and
 * pinches; the pinch zoom controller on the overlay takes the pinches away from noVNC and zooms the
 * view, and lets everything else through to the canvas, where RFB makes clicks, drags and wheel steps.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PinchZoomController } from './pinch-zoom-controller.js';

const rfbPath = createRequire(import.meta.url).resolve('@novnc/novnc');

interface NoVncGestures {
  attach(target: HTMLElement): void;
  detach(): void;
}

const STAGE = { width: 400, height: 300 };

let gestures: NoVncGestures;
let overlay: HTMLElement;
let canvas: HTMLElement;
/** what reached the canvas, as RFB would see it: `gesturestart:drag` */
let seen: string[];
let zoom: PinchZoomController;
let nextId = 0;

beforeEach(async () => {
  vi.useFakeTimers();
  const url = pathToFileURL(join(dirname(rfbPath), 'input', 'gesturehandler.js')).href;
  const { default: GestureHandler } = (await import(url)) as { default: new () => NoVncGestures };
  const stage = document.createElement('div');
  Object.defineProperty(stage, 'clientWidth', { value: STAGE.width });
  Object.defineProperty(stage, 'clientHeight', { value: STAGE.height });
  stage.getBoundingClientRect = () => new DOMRect(0, 0, STAGE.width, STAGE.height);
  overlay = document.createElement('div');
  canvas = document.createElement('canvas');
  overlay.append(canvas);
  stage.append(overlay);
  document.body.append(stage);
  seen = [];
  for (const t of ['gesturestart', 'gesturemove', 'gestureend'])
    canvas.addEventListener(t, (e) => seen.push(`${t}:${(e as CustomEvent<{ type: string }>).detail.type}`));
  gestures = new GestureHandler();
  gestures.attach(canvas);
  const host: ReactiveControllerHost = {
    addController: (_c: ReactiveController) => {},
    removeController: () => {},
    requestUpdate: () => {},
    updateComplete: Promise.resolve(true),
  };
  zoom = new PinchZoomController(host);
  zoom.attach(overlay, stage);
});

afterEach(() => {
  gestures.detach();
  document.body.replaceChildren();
  vi.useRealTimers();
});

type Finger = { id: number; x: number; y: number };

function touch(type: string, fingers: Finger[]): void {
  const touches = fingers.map(
    (f) => new Touch({ identifier: f.id, target: canvas, clientX: f.x, clientY: f.y }),
  );
  canvas.dispatchEvent(
    new TouchEvent(type, { changedTouches: touches, touches, bubbles: true, cancelable: true }),
  );
}

const finger = (x: number, y: number): Finger => ({ id: nextId++, x, y });

/** fingers moved by (dx, dy) each, in `steps` touchmove events 10 ms apart */
function move(fingers: Finger[], deltas: Array<[number, number]>, steps = 5): void {
  const from = fingers.map((f) => ({ ...f }));
  for (let s = 1; s <= steps; s++) {
    vi.advanceTimersByTime(10);
    fingers.forEach((f, i) => {
      f.x = from[i]!.x + (deltas[i]![0] * s) / steps;
      f.y = from[i]!.y + (deltas[i]![1] * s) / steps;
      touch('touchmove', [f]);
    });
  }
}

describe('touch gestures on the stage (noVNC recognises, the zoom takes pinches)', () => {
  it('a tap is a click', () => {
    const f = finger(100, 100);
    touch('touchstart', [f]);
    vi.advanceTimersByTime(80);
    touch('touchend', [f]);
    expect(seen).toEqual(['gesturestart:onetap', 'gestureend:onetap']);
  });

  it('a one-finger move is a drag', () => {
    const f = finger(100, 100);
    touch('touchstart', [f]);
    move([f], [[120, 40]]);
    touch('touchend', [f]);
    expect(seen[0]).toBe('gesturestart:drag');
    expect(seen).toContain('gesturemove:drag');
    expect(seen.at(-1)).toBe('gestureend:drag');
  });

  it('a finger held for a second is a long press (the right button), released with the finger', () => {
    const f = finger(100, 100);
    touch('touchstart', [f]);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual(['gesturestart:longpress']);
    touch('touchend', [f]);
    expect(seen).toEqual(['gesturestart:longpress', 'gestureend:longpress']);
  });

  it('two fingers moving together scroll the room; the view does not zoom', () => {
    const a = finger(150, 100);
    const b = finger(250, 100);
    touch('touchstart', [a, b]);
    move(
      [a, b],
      [
        [0, 120],
        [0, 120],
      ],
    );
    touch('touchend', [a, b]);
    expect(seen[0]).toBe('gesturestart:twodrag');
    expect(seen).toContain('gesturemove:twodrag');
    expect(zoom.view).toEqual({ scale: 1, x: 0, y: 0 });
  });

  it('two fingers spreading zoom the view and never reach noVNC (no Ctrl+wheel in the room)', () => {
    const a = finger(150, 150);
    const b = finger(250, 150);
    touch('touchstart', [a, b]);
    move(
      [a, b],
      [
        [-100, 0],
        [100, 0],
      ],
      10,
    );
    touch('touchend', [a, b]);
    expect(seen).toEqual([]);
    // zoomed about the fingers' midpoint, which stays where it was
    expect(zoom.view.scale).toBeGreaterThan(1.5);
    expect(zoom.view.x + 200 * zoom.view.scale).toBeCloseTo(200, 0);
    zoom.reset();
    expect(zoom.view).toEqual({ scale: 1, x: 0, y: 0 });
  });
});
