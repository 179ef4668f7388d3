// @vitest-environment happy-dom
import type { ReactiveControllerHost } from 'lit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputController } from './input-controller.js';

/** A stand-in for noVNC's RFB: connects at once, records the keys it is asked to send. */
const sentKeys: number[] = [];
vi.mock('@novnc/novnc', () => ({
  default: class extends EventTarget {
    constructor() {
      super();
      setTimeout(() => this.dispatchEvent(new Event('connect')), 0);
    }
    sendKey(keysym: number) {
      sentKeys.push(keysym);
    }
    focus() {}
    blur() {}
    disconnect() {}
  },
}));

const XK_V = 0x0076;

describe('InputController', () => {
  afterEach(() => {
    vi.useRealTimers();
    document.body.replaceChildren();
    sentKeys.length = 0;
  });

  it('a host that goes away takes its paste field and a pending paste with it', async () => {
    const host = { addController: () => {}, requestUpdate: () => {} } as unknown as ReactiveControllerHost;
    const c = new InputController(host);
    const wrap = document.createElement('div');
    const target = document.createElement('div');
    wrap.appendChild(target);
    document.body.appendChild(wrap);
    c.hostConnected();
    c.attach(target, () => 'ws://room.test/input');
    c.setPasteHandler(async () => true);
    c.setActive(true);
    await vi.waitFor(() => expect(c.phase).toBe('active'));

    vi.useFakeTimers();
    const key = new KeyboardEvent('keydown', { key: 'v', code: 'KeyV', ctrlKey: true, bubbles: true });
    target.dispatchEvent(key);
    expect(document.querySelector('[data-testid="paste-sink"]')).not.toBeNull();
    expect(vi.getTimerCount()).toBe(1);

    c.hostDisconnected();
    expect(document.querySelector('[data-testid="paste-sink"]')).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    await vi.runAllTimersAsync();
    expect(sentKeys).not.toContain(XK_V);
  });
});
