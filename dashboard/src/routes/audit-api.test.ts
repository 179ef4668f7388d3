import type { AuditEntry, AuditList } from '@boxroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roomWithAgent } from '../testing/room-with-agent.js';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

const OLGA = { authorization: 'Bearer brt_olga' };
const CAROL = { authorization: 'Bearer brt_carol' };
const DAN = { authorization: 'Bearer brt_dan' };

describe('audit API', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp({
      accounts: {
        brt_olga: { id: 'olga', name: 'Olga', role: 'operator' },
        brt_carol: { id: 'carol', name: 'Carol', role: 'creator' },
        brt_dan: { id: 'dan', name: 'Dan', role: 'creator' },
      },
    });
  });
  afterEach(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const audit = async (query = '', headers: Record<string, string> = OLGA): Promise<AuditList> => {
    const res = await call('GET', `/api/audit${query}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<AuditList>();
  };
  const brief = (es: AuditEntry[]) => es.map((e) => [e.action, e.actor.id, e.outcome]);

  /** carol's room, Ann joined it with the participant link */
  async function roomWithAnn() {
    const res = await call('POST', '/api/rooms', CAROL, { name: 'carol room' });
    expect(res.statusCode).toBe(201);
    const room = res.json<{ id: string; links: Record<string, string> }>();
    const joined = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links.participant!), name: 'Ann' },
    });
    expect(joined.statusCode).toBe(200);
    const ann = joined.json<{ token: string; participantId: string }>();
    return { id: room.id, ann: { ...ann, headers: { authorization: `Bearer ${ann.token}` } } };
  }

  it('lists each action in the order it happened, with its actor, and never an invite secret', async () => {
    const { id, ann } = await roomWithAnn();
    expect((await call('POST', `/api/rooms/${id}/invites/viewer/revoke`, CAROL)).statusCode).toBe(200);
    expect(
      (await call('POST', `/api/rooms/${id}/participants/${ann.participantId}/kick`, OLGA)).statusCode,
    ).toBe(204);
    // refused for rights: recorded as denied, and the room stays
    expect((await call('DELETE', `/api/rooms/${id}`, DAN)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/rooms/${id}`, CAROL)).statusCode).toBe(204);

    const { entries, next } = await audit();
    expect(next).toBeUndefined();
    expect(brief(entries)).toEqual([
      ['room.create', 'carol', 'ok'],
      ['participant.join', ann.participantId, 'ok'],
      ['invite.revoke', 'carol', 'ok'],
      ['participant.kick', 'olga', 'ok'],
      ['room.delete', 'dan', 'denied'],
      ['room.delete', 'carol', 'ok'],
    ]);
    expect(entries.every((e) => e.roomId === id)).toBe(true);
    expect(entries[0]).toMatchObject({
      actor: { name: 'Carol', role: 'creator' },
      detail: { name: 'carol room' },
    });
    expect(entries[1]).toMatchObject({
      actor: { name: 'Ann', role: 'participant' },
      detail: { role: 'participant' },
    });
    expect(entries[2]!.detail).toEqual({ role: 'viewer' });
    expect(entries[3]!.detail).toEqual({ participantId: ann.participantId });
    const ids = entries.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(JSON.stringify(entries)).not.toContain(ann.token);
  });

  it('records refusals for rights as denied', async () => {
    const res = await call('POST', '/api/rooms', CAROL, {});
    const room = res.json<{ id: string }>();
    // a participant of another room, a creator for a room it does not own: the delete is refused
    const { ann } = await roomWithAnn();
    expect((await call('DELETE', `/api/rooms/${room.id}`, ann.headers)).statusCode).toBe(403);
    const denied = await audit('?action=room.delete');
    expect(brief(denied.entries)).toEqual([['room.delete', ann.participantId, 'denied']]);
    expect(denied.entries[0]!.detail).toEqual({ reason: 'forbidden' });
  });

  it('is for admins and operators: creators and room tokens 403, no bearer 401', async () => {
    const { ann } = await roomWithAnn();
    expect((await call('GET', '/api/audit', {})).statusCode).toBe(401);
    expect((await call('GET', '/api/audit', CAROL)).statusCode).toBe(403);
    expect((await call('GET', '/api/audit', ann.headers)).statusCode).toBe(403);
    expect((await audit('', t.admin)).entries.length).toBeGreaterThan(0);
  });

  it('filters by room, actor, action and since, and pages with next/after', async () => {
    const a = await roomWithAnn();
    const b = await roomWithAnn();
    expect(brief((await audit(`?room=${b.id}`)).entries)).toEqual([
      ['room.create', 'carol', 'ok'],
      ['participant.join', b.ann.participantId, 'ok'],
    ]);
    expect((await audit(`?actor=${a.ann.participantId}`)).entries.map((e) => e.roomId)).toEqual([a.id]);
    expect((await audit('?action=room.create')).entries.map((e) => e.roomId)).toEqual([a.id, b.id]);
    const all = (await audit()).entries;
    expect((await audit(`?since=${encodeURIComponent(all[2]!.at)}`)).entries.map((e) => e.id)).toEqual(
      all.filter((e) => e.at >= all[2]!.at).map((e) => e.id),
    );
    const seen: string[] = [];
    let page = await audit('?limit=3');
    seen.push(...page.entries.map((e) => e.id));
    expect(page.next).toBe(page.entries[2]!.id);
    page = await audit(`?limit=3&after=${page.next}`);
    seen.push(...page.entries.map((e) => e.id));
    expect(page.next).toBeUndefined();
    expect(seen).toEqual(all.map((e) => e.id));
    // from the newest back (the dashboard's view): each page oldest first, next is the older page's before
    const newest = await audit('?limit=3&before=9999999999999999999');
    expect(newest.entries.map((e) => e.id)).toEqual(all.slice(-3).map((e) => e.id));
    expect(newest.next).toBe(all[all.length - 3]!.id);
    const older = await audit(`?limit=3&before=${newest.next}`);
    expect(older.entries.map((e) => e.id)).toEqual(all.slice(0, all.length - 3).map((e) => e.id));
    expect(older.next).toBeUndefined();
  });

  it('names in room.update the timeouts an extend set, and none for a change of something else', async () => {
    const { room, agent, tokens } = await roomWithAgent(t, { timeouts: { maxAgeS: 600 } });
    try {
      const owner = { authorization: `Bearer ${tokens.owner!.token}` };
      const patch = (payload: object) =>
        t.app.inject({ method: 'PATCH', url: `/api/rooms/${room.id}`, headers: owner, payload });
      expect((await patch({ timeouts: { maxAgeS: 1800 } })).statusCode).toBe(200);
      expect((await patch({ clipboard: { copyOut: false } })).statusCode).toBe(200);
      const updates = (await audit('?action=room.update')).entries;
      expect(updates.map((e) => e.actor.id)).toEqual([
        tokens.owner!.participantId,
        tokens.owner!.participantId,
      ]);
      expect(updates[0]!.detail).toMatchObject({ maxAgeS: 1800, noViewersS: 0, noInputS: 0 });
      expect(updates[1]!.detail).not.toHaveProperty('maxAgeS');
      expect(updates[1]!.detail).toMatchObject({ clipboardCopyOut: false });
    } finally {
      await agent.close();
    }
  });

  it('refuses a bad query with 400', async () => {
    for (const q of [
      '?limit=0',
      '?limit=5001',
      '?action=room.explode',
      '?since=yesterday',
      '?after=x',
      '?color=red',
    ]) {
      expect((await call('GET', `/api/audit${q}`, OLGA)).statusCode, q).toBe(400);
    }
  });
});
