import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ControlChange, WebhookEvent } from '@boxroom/contracts';
import { AuditLog } from '../audit/audit-log.js';
import { tempFileStore } from '../testing/temp-file-store.js';
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

describe('ControlRelay with the audit trail', () => {
  it('records each change once, even relayed by two replicas, naming who caused it', async () => {
    const { store, dispose } = await tempFileStore();
    try {
      const log = pino({ level: 'silent' });
      const audit = new AuditLog(store, log);
      const quiet = { enabled: false, emit: () => {}, close: async () => {} };
      // a participant the trail knows from their join
      await audit.record({ id: 'b', name: 'Bea', role: 'owner' }, 'participant.join', 'r1');
      const a = new ControlRelay(quiet, log, audit);
      const b = new ControlRelay(quiet, log, audit);
      expect(a.active).toBe(true);
      const byBea: ControlChange = { ...change(2), reason: 'take', by: 'b' };
      const timer: ControlChange = { ...change(3), reason: 'idle', by: null };
      await a.relay('r1', [change(1), byBea]);
      // the reaper's lease moved: the new holder starts from 0 and relays all again
      await b.relay('r1', [change(1), byBea, timer]);
      const entries = await store.queryAudit({ action: 'control.change', limit: 10 });
      expect(entries.map((e) => [e.detail.seq, e.actor.id, e.actor.role, e.detail.reason])).toEqual([
        [1, 'a', 'participant', 'request'],
        [2, 'b', 'owner', 'take'],
        [3, 'system', 'system', 'idle'],
      ]);
      expect(entries[0]!.detail).toMatchObject({ by: 'a', holder: 'a', holderName: 'A', locked: false });
    } finally {
      await dispose();
    }
  });
});
