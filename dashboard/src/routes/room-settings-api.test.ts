import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeAgent } from '../testing/fake-agent.js';
import { roomWithAgent, type RoomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

describe('PATCH /api/rooms/:id (live settings)', () => {
  let t: TestApp;
  let agent: FakeAgent;
  let room: RoomWithAgent['room'];
  let tokens: RoomWithAgent['tokens'];

  beforeEach(async () => {
    t = await buildTestApp();
    ({ room, agent, tokens } = await roomWithAgent(t, { clipboard: { pasteIn: false } }));
  });
  afterEach(async () => {
    await agent.close();
    await t.close();
  });

  const patch = (headers: Record<string, string>, payload: unknown, id = room.id) =>
    t.app.inject({ method: 'PATCH', url: `/api/rooms/${id}`, headers, payload: payload as object });
  const bearer = (role: string) => ({ authorization: `Bearer ${tokens[role]!.token}` });
  const get = async (headers: Record<string, string> = t.admin) =>
    (await t.app.inject({ method: 'GET', url: `/api/rooms/${room.id}`, headers })).json();

  it('create takes the clipboard policy; every room answer carries the settings', async () => {
    expect((room as unknown as { settings: unknown }).settings).toEqual({
      clipboard: { copyOut: true, pasteIn: false },
      files: { upload: true, download: true },
    });
    expect((await get()).settings).toEqual({
      clipboard: { copyOut: true, pasteIn: false },
      files: { upload: true, download: true },
    });
    const list = (await t.app.inject({ method: 'GET', url: '/api/rooms', headers: t.admin })).json();
    expect(list.rooms[0].settings).toEqual({
      clipboard: { copyOut: true, pasteIn: false },
      files: { upload: true, download: true },
    });
  });

  it('owner: 200 with the room at its new size; the agent gets the whole state with a dashboard token', async () => {
    const res = await patch(bearer('owner'), { width: 1920, height: 1080 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: room.id,
      width: 1920,
      height: 1080,
      settings: { clipboard: { copyOut: true, pasteIn: false } },
    });
    expect(agent.settings).toEqual([
      {
        width: 1920,
        height: 1080,
        settings: { clipboard: { copyOut: true, pasteIn: false }, files: { upload: true, download: true } },
      },
    ]);
    const call = agent.seen.find((s) => s.url === '/settings');
    expect(decodeJwt(call!.authorization!.slice(7))).toMatchObject({ aud: 'boxroom-agent', room: room.id });
    // GET and a viewer's join answer see it too
    expect(await get(bearer('viewer'))).toMatchObject({ width: 1920, height: 1080 });
    const join = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links.viewer), name: 'late' },
    });
    expect(join.json().room).toMatchObject({ width: 1920, height: 1080 });
  });

  it('operator: the clipboard alone, the rest kept', async () => {
    const res = await patch(t.admin, { clipboard: { copyOut: false } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      width: 1280,
      height: 720,
      settings: { clipboard: { copyOut: false, pasteIn: false } },
    });
  });

  it('owner: the files policy alone; the file routes follow it at once', async () => {
    const res = await patch(bearer('owner'), { files: { download: false } });
    expect(res.statusCode).toBe(200);
    expect(res.json().settings.files).toEqual({ upload: true, download: false });
    const list = await t.app.inject({
      method: 'GET',
      url: `/api/rooms/${room.id}/files`,
      headers: bearer('owner'),
    });
    expect(list.statusCode).toBe(403);
    expect(list.json().error.message).toMatch(/turned off/);
    expect((await patch(bearer('owner'), { files: { download: true } })).json().settings.files).toEqual({
      upload: true,
      download: true,
    });
  });

  it('participant and viewer: 403, the agent is not asked; 401 without a bearer', async () => {
    for (const role of ['participant', 'viewer']) {
      const res = await patch(bearer(role), { width: 1920, height: 1080 });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect((await patch({}, { width: 1920 })).statusCode).toBe(401);
    expect(agent.settings).toEqual([]);
  });

  it('400 like create: odd, too small, too large, unknown field, empty body', async () => {
    for (const body of [
      { width: 1281 },
      { height: 100 },
      { width: 8000 },
      { fps: 60 },
      { clipboard: { both: true } },
      {},
    ]) {
      const res = await patch(t.admin, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
    expect(agent.settings).toEqual([]);
  });

  it('404 unknown room; 409 when the agent refuses the size (nothing stored); 409 a failed room', async () => {
    expect((await patch(t.admin, { width: 1920 }, 'zzzzzzzzzz')).statusCode).toBe(404);
    agent.maxSize = { width: 1280, height: 720 };
    const refused = await patch(t.admin, { width: 1920, height: 1080 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({ code: 'conflict', message: 'does not fit the screen' });
    expect(await get()).toMatchObject({ width: 1280, height: 720 });
    t.driver.setStatus(room.id, 'failed');
    expect((await patch(t.admin, { width: 640 })).statusCode).toBe(409);
  });

  it('a starting room stores the settings and its agent is told once it is ready', async () => {
    t.driver.setStatus(room.id, 'starting');
    const res = await patch(t.admin, { width: 1600, height: 900 });
    expect(res.statusCode).toBe(200);
    expect(agent.settings).toEqual([]);
    t.driver.setStatus(room.id, 'ready');
    // the fake driver changes a status silently: announce it as a driver does
    t.driver.emit('status', room.id, 'ready');
    const until = Date.now() + 2000;
    while (agent.settings.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(agent.settings.at(-1)).toMatchObject({ width: 1600, height: 900 });
  });

  it('concurrent PATCHes of one room: both changes stay, at the agent and in the answers', async () => {
    agent.settingsDelayMs = 100; // the resize is still being pushed when the clipboard change comes
    const [resize, clipboard] = await Promise.all([
      patch(t.admin, { width: 1920, height: 1080 }),
      patch(t.admin, { clipboard: { copyOut: false } }),
    ]);
    expect([resize.statusCode, clipboard.statusCode]).toEqual([200, 200]);
    const both = {
      width: 1920,
      height: 1080,
      settings: { clipboard: { copyOut: false, pasteIn: false }, files: { upload: true, download: true } },
    };
    expect(clipboard.json()).toMatchObject(both);
    expect(await get()).toMatchObject(both);
    expect(agent.live).toEqual(both);
  });

  it('is in the OpenAPI document with its answers', async () => {
    const spec = (await t.app.inject('/openapi.json')).json();
    const op = spec.paths['/api/rooms/{id}'].patch;
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '503']),
    );
    expect(Object.keys(op.requestBody.content['application/json'].schema.properties)).toEqual([
      'width',
      'height',
      'clipboard',
      'files',
      'timeouts',
    ]);
  });
});

describe('live settings after an agent restart the dashboard did not see', () => {
  it("the reaper's sweep tells the agent again, and retries a push that failed", async () => {
    const t = await buildTestApp({ roomPollMs: 50 });
    const { room, agent } = await roomWithAgent(t);
    try {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/rooms/${room.id}`,
        headers: t.admin,
        payload: { clipboard: { copyOut: false } },
      });
      expect(res.statusCode).toBe(200);
      const stored = agent.live!;
      expect(stored.settings.clipboard.copyOut).toBe(false);
      const pushes = agent.settings.length;
      // restarted between two polls, never seen as a status move: back at its create-time policy,
      // and the first push after it fails
      agent.failSettings = 1;
      agent.live = {
        ...stored,
        settings: { ...stored.settings, clipboard: { copyOut: true, pasteIn: true } },
      };
      await vi.waitFor(() => expect(agent.live).toEqual(stored), { timeout: 3000, interval: 20 });
      expect(agent.failSettings).toBe(0);
      // once in step, the sweeps leave it alone
      const after = agent.settings.length;
      expect(after).toBe(pushes + 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(agent.settings.length).toBe(after);
    } finally {
      await agent.close();
      await t.close();
    }
  });
});
