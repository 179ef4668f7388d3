import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { containerEventFilters, EventStream, WATCHED_ACTIONS, type ContainerEvent } from './event-stream.js';

function fakeDocker() {
  const streams: PassThrough[] = [];
  const getEvents = vi.fn(async () => {
    const s = new PassThrough();
    streams.push(s);
    return s;
  });
  return { docker: { getEvents } as unknown as Docker, getEvents, streams };
}

const event = (action: string): ContainerEvent => ({
  Action: action,
  Actor: { ID: 'c1', Attributes: { 'io.boxroom.room.id': 'r1' } },
  time: 1,
});

describe('EventStream', () => {
  it('asks for this instance’s container events only', async () => {
    const f = fakeDocker();
    const es = new EventStream(
      f.docker,
      containerEventFilters('prod'),
      pino({ level: 'silent' }),
      () => {},
      () => {},
    );
    await es.open();
    expect(f.getEvents).toHaveBeenCalledWith({
      filters: { type: ['container'], label: ['io.boxroom.instance=prod'], event: WATCHED_ACTIONS },
    });
    es.close();
  });

  it('parses events split across chunks', async () => {
    const f = fakeDocker();
    const seen: string[] = [];
    const es = new EventStream(
      f.docker,
      containerEventFilters('prod'),
      pino({ level: 'silent' }),
      (e) => seen.push(e.Action),
      () => {},
    );
    await es.open();
    const text = `${JSON.stringify(event('start'))}\n${JSON.stringify(event('health_status: healthy'))}\n`;
    f.streams[0]!.write(text.slice(0, 30));
    f.streams[0]!.write(text.slice(30));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['start', 'health_status: healthy']);
    es.close();
  });

  it('reconnects when the stream ends, then reports it', async () => {
    const f = fakeDocker();
    const reconnected = vi.fn();
    const es = new EventStream(
      f.docker,
      containerEventFilters('prod'),
      pino({ level: 'silent' }),
      () => {},
      reconnected,
    );
    await es.open();
    f.streams[0]!.end();
    await vi.waitFor(() => expect(reconnected).toHaveBeenCalledTimes(1), { timeout: 2000 });
    expect(f.getEvents).toHaveBeenCalledTimes(2);
    es.close();
  });

  it('does not reconnect after close', async () => {
    const f = fakeDocker();
    const es = new EventStream(
      f.docker,
      containerEventFilters('prod'),
      pino({ level: 'silent' }),
      () => {},
      () => {},
    );
    await es.open();
    es.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(f.getEvents).toHaveBeenCalledTimes(1);
  });
});
