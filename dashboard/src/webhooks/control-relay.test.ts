import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ControlChange, WebhookEvent } from '@boxroom/contracts';
import { ControlRelay } from './control-relay.js';

const change = (seq: number): ControlChange => ({
  seq,
  at: 1000 + seq,
  reason: 'request',
  by: 'a',
  state: { seq, holder: { id: 'a', name: 'A', role: 'participant' }, queue: [], locked: false },
});

function setup() {
  const sent: WebhookEvent[] = [];
  const logs: string[] = [];
  const relay = new ControlRelay(
    { enabled: true, emit: (e) => void sent.push(e), close: async () => {} },
    pino({ level: 'warn' }, { write: (l: string) => void logs.push(l) }),
  );
  return { relay, sent, logs };
}

describe('ControlRelay', () => {
  it('relays each change once, in seq order, with a stable id', () => {
    const { relay, sent } = setup();
    relay.relay('r1', [change(2), change(1)]);
    relay.relay('r1', [change(1), change(2), change(3)]);
    expect(sent.map((e) => e.id)).toEqual(['r1.control.1', 'r1.control.2', 'r1.control.3']);
    expect(sent[2]).toMatchObject({
      type: 'control.changed',
      room: 'r1',
      at: 1003,
      data: { seq: 3, reason: 'request', by: 'a', holder: { id: 'a' }, queue: [], locked: false },
    });
    expect(relay.since('r1')).toBe(3);
    expect(relay.since('r2')).toBe(0);
  });

  it('warns about a gap, and starts over for a forgotten room', () => {
    const { relay, sent, logs } = setup();
    relay.relay('r1', [change(1)]);
    relay.relay('r1', [change(5)]);
    expect(logs.join('')).toContain('control changes lost');
    relay.forget('r1');
    relay.relay('r1', [change(1)]);
    expect(sent.map((e) => e.id)).toEqual(['r1.control.1', 'r1.control.5', 'r1.control.1']);
  });
});
