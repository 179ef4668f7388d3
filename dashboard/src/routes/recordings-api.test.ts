import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Recording } from '@boxroom/contracts';
import { startFakeAgent, type FakeAgent } from '../testing/fake-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';
import { until } from '../testing/until.js';

type Links = Record<'participant' | 'viewer' | 'owner', string>;

describe('recordings API', () => {
  let t: TestApp;
  let agent: FakeAgent | undefined;
  let room: { id: string; links: Links };
  const tokens: Record<string, string> = {};

  const create = async (body: object = {}) => {
    const r = (
      await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin, payload: body })
    ).json<{
      id: string;
      links: Links;
    }>();
    if (agent) t.driver.rooms.set(r.id, { ...t.driver.rooms.get(r.id)!, agentUrl: agent.url });
    return r;
  };
  const join = async (r: { id: string; links: Links }, role: keyof Links) =>
    (
      await t.app.inject({
        method: 'POST',
        url: `/api/rooms/${r.id}/join`,
        payload: { invite: inviteOf(r.links[role]), name: role },
      })
    ).json<{ token: string }>().token;
  const bearer = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method, url, headers });
  const startRec = async (id = room.id, headers = t.admin) => {
    const res = await call('POST', `/api/rooms/${id}/recording/start`, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ recording: Recording }>().recording;
  };

  beforeEach(async () => {
    t = await buildTestApp();
    room = await create();
    agent = await startFakeAgent(t.secrets.publicKeyPem, room.id);
    t.driver.rooms.set(room.id, { ...t.driver.rooms.get(room.id)!, agentUrl: agent.url });
    for (const role of ['participant', 'viewer', 'owner'] as const) tokens[role] = await join(room, role);
  });
  afterEach(async () => {
    await t.close();
    await agent?.close();
    agent = undefined;
  });

  it('start: 200 for operators and owners, 409 already_recording, 403 for others, 401, 404, 400', async () => {
    const rec = await startRec(room.id, bearer('owner'));
    expect(rec).toMatchObject({ roomId: room.id, state: 'recording', endedAt: null, durationS: 0, bytes: 0 });
    expect(rec.links.play).toMatch(
      new RegExp(`^http://box.test/api/recordings/${rec.id}/play.m3u8\\?exp=\\d+&sig=`),
    );
    const again = await call('POST', `/api/rooms/${room.id}/recording/start`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_recording');
    for (const role of ['participant', 'viewer'])
      expect((await call('POST', `/api/rooms/${room.id}/recording/start`, bearer(role))).statusCode).toBe(
        403,
      );
    expect((await call('POST', `/api/rooms/${room.id}/recording/start`, {})).statusCode).toBe(401);
    expect((await call('POST', '/api/rooms/zzzzzzzzzz/recording/start')).statusCode).toBe(404);
    expect((await call('POST', '/api/rooms/NOT-AN-ID/recording/start')).statusCode).toBe(400);
    // everyone in the room is told (the agent announces it)
    await until(() => agent!.recordings.includes(rec.id), 3000);
  });

  it('start: 409 when the room is not recorded ("off"), 503 when it is not ready', async () => {
    const off = await create({ record: 'off' });
    const res = await call('POST', `/api/rooms/${off.id}/recording/start`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
    t.driver.setStatus(room.id, 'starting');
    expect((await call('POST', `/api/rooms/${room.id}/recording/start`)).statusCode).toBe(503);
  });

  it('a room whose policy is "always" is recorded from ready without anyone asking', async () => {
    const always = await create({ record: 'always' });
    const listed = async () =>
      (await call('GET', `/api/recordings?room=${always.id}`)).json<{ recordings: Recording[] }>().recordings;
    await until(async () => (await listed()).some((r) => r.state === 'recording'), 5000);
    expect(await listed()).toHaveLength(1);
    // an owner's stop sticks: the policy does not start it again
    expect((await call('POST', `/api/rooms/${always.id}/recording/stop`)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect((await listed()).map((r) => r.state)).toEqual(['failed']);
    // a start within 5 s and a 2.5 s watch: more than vitest's default 5 s on a loaded machine
  }, 15_000);

  it('stop: 200 with the finished recording, 409 not_recording, 403 for participants', async () => {
    const rec = await startRec();
    expect(
      (await call('POST', `/api/rooms/${room.id}/recording/stop`, bearer('participant'))).statusCode,
    ).toBe(403);
    const res = await call('POST', `/api/rooms/${room.id}/recording/stop`, bearer('owner'));
    expect(res.statusCode).toBe(200);
    // the fake agent's stream holds no frame: nothing playable was written
    expect(res.json().recording).toMatchObject({ id: rec.id, state: 'failed' });
    expect(res.json().recording.endedAt).not.toBeNull();
    const again = await call('POST', `/api/rooms/${room.id}/recording/stop`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('not_recording');
    await until(() => agent!.recordings.at(-1) === null, 3000);
  });

  it('list and get follow the room token and the visibility the owners chose', async () => {
    const rec = await startRec();
    const other = await create({ recordingsVisibleTo: 'owners' });
    const hidden = await startRec(other.id);
    const all = (await call('GET', '/api/recordings')).json<{ recordings: Recording[] }>().recordings;
    expect(all.map((r) => r.id).sort()).toEqual([rec.id, hidden.id].sort());
    const mine = await call('GET', `/api/recordings?room=${room.id}`, bearer('viewer'));
    expect(mine.json().recordings.map((r: Recording) => r.id)).toEqual([rec.id]);
    expect((await call('GET', `/api/recordings?room=${other.id}`, bearer('viewer'))).statusCode).toBe(403);
    expect((await call('GET', `/api/recordings/${rec.id}`, bearer('viewer'))).json().id).toBe(rec.id);
    // another room's recording is not disclosed to this room's token
    expect((await call('GET', `/api/recordings/${hidden.id}`, bearer('owner'))).statusCode).toBe(404);
    const otherViewer = await join(other, 'viewer');
    expect(
      (await call('GET', `/api/recordings/${hidden.id}`, { authorization: `Bearer ${otherViewer}` }))
        .statusCode,
    ).toBe(404);
    const otherOwner = await join(other, 'owner');
    expect(
      (await call('GET', `/api/recordings/${hidden.id}`, { authorization: `Bearer ${otherOwner}` }))
        .statusCode,
    ).toBe(200);
    expect((await call('GET', '/api/recordings/rec0000000000000000')).statusCode).toBe(404);
    expect((await call('GET', '/api/recordings/nope')).statusCode).toBe(400);
    expect((await call('GET', '/api/recordings', {})).statusCode).toBe(401);
    expect((await call('GET', `/api/recordings/${rec.id}/events`, bearer('viewer'))).statusCode).toBe(200);
  });

  it('delete: 204 for owners, 403 for viewers, 404 after', async () => {
    const rec = await startRec();
    expect((await call('DELETE', `/api/recordings/${rec.id}`, bearer('viewer'))).statusCode).toBe(403);
    expect((await call('DELETE', `/api/recordings/${rec.id}`, bearer('owner'))).statusCode).toBe(204);
    expect((await call('GET', `/api/recordings/${rec.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/recordings/${rec.id}`)).statusCode).toBe(404);
  });

  it('media: the signed links work without a bearer, a bad signature does not; 404 before anything is written', async () => {
    const rec = await startRec();
    const signed = new URL(rec.links.play);
    const play = await t.app.inject({ method: 'GET', url: signed.pathname + signed.search });
    expect(play.statusCode).toBe(200);
    expect(play.headers['content-type']).toContain('application/vnd.apple.mpegurl');
    expect(play.body).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    const forged = signed.search.replace(/sig=[^&]+/, 'sig=AAAA');
    expect((await t.app.inject({ method: 'GET', url: signed.pathname + forged })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: signed.pathname })).statusCode).toBe(401);
    expect((await call('GET', `/api/recordings/${rec.id}/play.m3u8`, bearer('viewer'))).statusCode).toBe(200);
    const dl = new URL(rec.links.download);
    expect((await t.app.inject({ method: 'GET', url: dl.pathname + dl.search })).statusCode).toBe(404);
    expect((await call('GET', `/api/recordings/${rec.id}/frame.jpg?t=1`)).statusCode).toBe(404);
    expect((await call('GET', `/api/recordings/${rec.id}/frame.jpg`)).statusCode).toBe(400);
    expect((await call('GET', `/api/recordings/${rec.id}/media/p0/evil.sh`)).statusCode).toBe(400);
    expect((await call('GET', `/api/recordings/${rec.id}/media/p0/init.mp4`)).statusCode).toBe(404);
  });

  it('join after the room ended: 200 with a recordings token for a valid invite, 401 for another, 404 without recordings', async () => {
    await startRec();
    const plain = await create();
    expect((await call('DELETE', `/api/rooms/${room.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/rooms/${plain.id}`)).statusCode).toBe(204);
    const joinEnded = (r: { id: string; links: Links }, invite: string) =>
      t.app.inject({ method: 'POST', url: `/api/rooms/${r.id}/join`, payload: { invite, name: 'late' } });
    const res = await joinEnded(room, inviteOf(room.links.participant));
    expect(res.statusCode).toBe(200);
    const ended = res.json<{ ended: true; token: string; role: string; room: { id: string } }>();
    expect(ended).toMatchObject({ ended: true, role: 'participant', room: { id: room.id } });
    const list = await call('GET', `/api/recordings?room=${room.id}`, {
      authorization: `Bearer ${ended.token}`,
    });
    expect(list.json().recordings).toHaveLength(1);
    expect(list.json().recordings[0].state).not.toBe('recording');
    expect((await joinEnded(room, 'x'.repeat(43))).statusCode).toBe(401);
    expect((await joinEnded(plain, inviteOf(plain.links.viewer))).statusCode).toBe(404);
  });
});
