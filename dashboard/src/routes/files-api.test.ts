import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_LIST_MAX_BYTES } from '@boxroom/contracts';
import type { FakeAgent } from '../testing/fake-agent.js';
import { roomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, type TestApp } from '../testing/test-app.js';

describe('GET /api/rooms/:id/files: what the dashboard reads of the agent', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let roomId: string;

  beforeEach(async () => {
    t = await buildTestApp();
    const r = await roomWithAgent(t);
    agent = r.agent;
    roomId = r.room.id;
  });
  afterEach(async () => {
    await agent.close();
    await t.close();
  });

  const list = () => t.app.inject({ method: 'GET', url: `/api/rooms/${roomId}/files`, headers: t.admin });

  it('passes a listing on, with its truncated flag', async () => {
    const file = { name: 'a.txt', size: 3, modifiedAt: '2026-01-01T00:00:00.000Z' };
    agent.filesAnswer = JSON.stringify({ files: [file], folder: '/home/u/files', truncated: true });
    const res = await list();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ files: [file], folder: '/home/u/files', truncated: true });
  });

  it('an answer over the cap is not read whole: 503 in the API error shape', async () => {
    const name = 'n'.repeat(200);
    const entry = JSON.stringify({ name, size: 1, modifiedAt: '2026-01-01T00:00:00.000Z' });
    const count = Math.ceil(FILE_LIST_MAX_BYTES / entry.length) + 1;
    agent.filesAnswer = `{"files":[${Array.from({ length: count }, () => entry).join(',')}]}`;
    const res = await list();
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
  });
});
