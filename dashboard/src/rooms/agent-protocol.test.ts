import { AGENT_PROTOCOL_VERSION } from '@boxroom/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AgentProtocols } from './agent-protocol.js';
import type { RoomRecord } from './room-driver.js';

const record = (agentUrl: string | null): RoomRecord => ({
  spec: {
    id: 'aaaaaaaaaa',
    name: 'a',
    width: 1,
    height: 1,
    fps: 1,
    app: 'terminal',
    createdAt: 0,
    ownerId: null,
  },
  status: 'ready',
  agentUrl,
});

describe('AgentProtocols', () => {
  it('reads the version from /healthz, also from a 503 answer, and keeps it per agent address', async () => {
    const asked: string[] = [];
    const p = new AgentProtocols(pino({ level: 'silent' }), async (url) => {
      asked.push(url);
      return Response.json({ status: 'starting', protocol: AGENT_PROTOCOL_VERSION }, { status: 503 });
    });
    expect(await p.of(record('http://a'))).toEqual({ version: AGENT_PROTOCOL_VERSION, compatible: true });
    await p.of(record('http://a'));
    expect(asked).toEqual(['http://a/healthz']);
    await p.of(record('http://b'));
    expect(asked).toEqual(['http://a/healthz', 'http://b/healthz']);
  });

  it('another or no version is incompatible', async () => {
    const answer = (body: object) =>
      new AgentProtocols(pino({ level: 'silent' }), async () => Response.json(body));
    expect(await answer({ protocol: AGENT_PROTOCOL_VERSION + 1 }).of(record('http://a'))).toEqual({
      version: AGENT_PROTOCOL_VERSION + 1,
      compatible: false,
    });
    expect(await answer({ status: 'ok' }).of(record('http://a'))).toEqual({
      version: null,
      compatible: false,
    });
  });

  it('an agent that does not answer is unknown (null) and asked again next time', async () => {
    let up = false;
    const p = new AgentProtocols(pino({ level: 'silent' }), async () => {
      if (!up) throw new Error('ECONNREFUSED');
      return Response.json({ protocol: AGENT_PROTOCOL_VERSION });
    });
    expect(await p.of(record('http://a'))).toBeNull();
    expect(await p.of(record(null))).toBeNull();
    up = true;
    expect(await p.of(record('http://a'))).toMatchObject({ compatible: true });
  });
});
