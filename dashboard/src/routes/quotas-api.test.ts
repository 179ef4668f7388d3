import { afterEach, describe, expect, it } from 'vitest';
import type { AccountRef, AuditList, QuotaLimits, QuotaReport, Room } from '@boxroom/contracts';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

const ACCOUNTS: Record<string, AccountRef> = {
  brt_alice: { id: 'alice', name: 'Alice', role: 'creator' },
  brt_bob: { id: 'bob', name: 'Bob', role: 'creator' },
  brt_ops: { id: 'ops', name: 'Ops', role: 'operator' },
  brt_root: { id: 'root', name: 'Root', role: 'admin' },
};
const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` });
const NONE: QuotaLimits = { roomsAtOnce: null, roomHoursPerDay: null, recordingBytes: null };

describe('quotas API', () => {
  let t: TestApp;
  afterEach(() => t?.close());

  const start = async (quotas: Partial<QuotaLimits>) => {
    t = await buildTestApp({ accounts: ACCOUNTS, quotas: { ...NONE, ...quotas } });
  };
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    headers: object,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: headers as Record<string, string>,
      ...(payload ? { payload } : {}),
    });
  const create = (bearer: string, body: object = {}) => call('POST', '/api/rooms', as(bearer), body);

  it('refuses a creator beyond its rooms at once: 409 quota_exceeded, exactly; others are not counted', async () => {
    await start({ roomsAtOnce: 1 });
    const first = await create('brt_alice');
    expect(first.statusCode, first.body).toBe(201);
    const refused = await create('brt_alice');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: {
        code: 'quota_exceeded',
        message: 'quota exceeded: at most 1 room at once (1 running): delete one first',
      },
    });
    expect(t.driver.rooms.size).toBe(1);
    // bob's slot is his own; operators, admins and the admin token have no quota
    expect((await create('brt_bob')).statusCode).toBe(201);
    for (const who of ['brt_ops', 'brt_root']) expect((await create(who)).statusCode).toBe(201);
    expect((await call('POST', '/api/rooms', t.admin, {})).statusCode).toBe(201);
    // deleting frees the slot
    const id = first.json<Room>().id;
    expect((await call('DELETE', `/api/rooms/${id}`, as('brt_alice'))).statusCode).toBe(204);
    expect((await create('brt_alice')).statusCode).toBe(201);
  });

  it("GET /api/quota: the caller's own report; uncapped roles have limits all null; room tokens none", async () => {
    await start({ roomsAtOnce: 3, roomHoursPerDay: 8, recordingBytes: 1024 });
    const room = (await create('brt_alice')).json<Room>();
    const mine = await call('GET', '/api/quota', as('brt_alice'));
    expect(mine.statusCode).toBe(200);
    const report = mine.json<QuotaReport>();
    expect(report.account).toBe('alice');
    expect(report.limits).toEqual({ roomsAtOnce: 3, roomHoursPerDay: 8, recordingBytes: 1024 });
    expect(report.usage.roomsAtOnce).toBe(1);
    expect(report.usage.recordingBytes).toBe(0);
    expect(report.usage.roomHoursPerDay).toBeGreaterThanOrEqual(0);
    expect(report.usage.roomHoursPerDay).toBeLessThan(0.01);
    expect((await call('GET', '/api/quota', as('brt_ops'))).json()).toEqual({
      account: 'ops',
      limits: NONE,
      usage: { roomsAtOnce: 0, roomHoursPerDay: 0, recordingBytes: 0 },
    });
    expect((await call('GET', '/api/quota', t.admin)).json<QuotaReport>()).toMatchObject({
      account: 'operator',
      limits: NONE,
    });
    expect((await call('GET', '/api/quota', {})).statusCode).toBe(401);
    const joined = await call(
      'POST',
      `/api/rooms/${room.id}/join`,
      {},
      {
        invite: inviteOf(room.links!.owner),
        name: 'guest',
      },
    );
    const roomToken = joined.json<{ token: string }>().token;
    expect((await call('GET', '/api/quota', as(roomToken))).statusCode).toBe(403);
  });

  it('PUT /api/accounts/:id/quota (admins): absent keeps, null lifts; GET shows it; others 403; bad bodies 400', async () => {
    await start({ roomsAtOnce: 1, roomHoursPerDay: 4 });
    const put = (bearer: object, body: object) => call('PUT', '/api/accounts/alice/quota', bearer, body);
    const set = await put(as('brt_root'), { roomsAtOnce: 2 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<QuotaReport>().limits).toEqual({
      roomsAtOnce: 2,
      roomHoursPerDay: 4,
      recordingBytes: null,
    });
    const lifted = await put(t.admin, { roomHoursPerDay: null });
    expect(lifted.json<QuotaReport>().limits).toEqual({
      roomsAtOnce: 2,
      roomHoursPerDay: null,
      recordingBytes: null,
    });
    expect(
      (await call('GET', '/api/accounts/alice/quota', t.admin)).json<QuotaReport>().limits.roomsAtOnce,
    ).toBe(2);
    // alice now has two slots
    expect((await create('brt_alice')).statusCode).toBe(201);
    expect((await create('brt_alice')).statusCode).toBe(201);
    expect((await create('brt_alice')).statusCode).toBe(409);
    for (const who of ['brt_alice', 'brt_ops']) {
      expect((await put(as(who), { roomsAtOnce: 9 })).statusCode).toBe(403);
      expect((await call('GET', '/api/accounts/alice/quota', as(who))).statusCode).toBe(403);
    }
    expect((await put(t.admin, {})).statusCode).toBe(400);
    expect((await put(t.admin, { roomsAtOnce: -1 })).statusCode).toBe(400);
    expect((await put(t.admin, { rooms: 1 })).statusCode).toBe(400);
    expect((await call('PUT', '/api/accounts/bad%20id/quota', t.admin, { roomsAtOnce: 1 })).statusCode).toBe(
      400,
    );
  });

  it("caps a creator's new room's max age to today's hours left; refuses when none are left", async () => {
    await start({ roomHoursPerDay: 2 });
    const room = (await create('brt_alice', { timeouts: { maxAgeS: 3 * 3600 } })).json<Room>();
    expect(room.timeouts.maxAgeS).toBeGreaterThan(2 * 3600 - 60);
    expect(room.timeouts.maxAgeS).toBeLessThanOrEqual(2 * 3600);
    // an admin's own room keeps what it asked for
    const admins = (
      await call('POST', '/api/rooms', t.admin, { timeouts: { maxAgeS: 3 * 3600 } })
    ).json<Room>();
    expect(admins.timeouts.maxAgeS).toBe(3 * 3600);
    await call('PUT', '/api/accounts/alice/quota', t.admin, { roomHoursPerDay: 0 });
    const refused = await create('brt_alice');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: {
        code: 'quota_exceeded',
        message: "quota exceeded: today's room-hours (UTC) are used up (0 h a day): more after midnight UTC",
      },
    });
  });

  it('shares the hours among creates at the same time: their max ages add up to the day at most', async () => {
    await start({ roomHoursPerDay: 2 });
    const created = await Promise.all(
      [1, 2, 3].map(() => create('brt_alice', { timeouts: { maxAgeS: 3600 } })),
    );
    expect(created.map((r) => r.statusCode).sort()).toEqual([201, 201, 409]);
    expect(created.find((r) => r.statusCode === 409)!.json().error.message).toBe(
      "quota exceeded: the rest of today's room-hours (UTC) is promised to your running rooms until their " +
        'max age (2 h a day): shorten or delete one first',
    );
    const ages = created.filter((r) => r.statusCode === 201).map((r) => r.json<Room>().timeouts.maxAgeS);
    expect(ages).toEqual([3600, 3600]);
    // a room asking for no max age gets none of the day: it is promised already
    expect((await create('brt_alice')).statusCode).toBe(409);
    expect((await create('brt_bob')).json<Room>().timeouts.maxAgeS).toBe(7200);
  });

  describe("extending a creator's room (PATCH timeouts) within its owner's room-hours", () => {
    const patch = (headers: object, id: string, maxAgeS: number) =>
      call('PATCH', `/api/rooms/${id}`, headers, { timeouts: { maxAgeS } });
    /** a room of alice's with 1 h a day; still starting: a PATCH only stores its settings */
    const aliceRoom = async () => {
      await start({ roomHoursPerDay: 1 });
      t.driver.createStatus = 'starting';
      const room = (await create('brt_alice')).json<Room>();
      expect(room.timeouts.maxAgeS).toBe(3600);
      return room;
    };
    const maxAgeOf = async (id: string) =>
      (await call('GET', `/api/rooms/${id}`, t.admin)).json<Room>().timeouts.maxAgeS;
    const denied = async () =>
      (await call('GET', '/api/audit?action=room.update', t.admin))
        .json<AuditList>()
        .entries.map((e) => [e.actor.id, e.outcome, e.detail]);

    it('its creator: no end and an end past the hours are refused (409, in the audit trail); within them: 200', async () => {
      const room = await aliceRoom();
      const never = await patch(as('brt_alice'), room.id, 0);
      expect(never.statusCode).toBe(409);
      expect(never.json().error.code).toBe('quota_exceeded');
      expect(never.json().error.message).toMatch(
        /^quota exceeded: maxAgeS 0 \(no end\) runs past the owner's room-hours left today \(UTC\) \(1 h a day\): at most 36\d\d s for this room$/,
      );
      const month = await patch(as('brt_alice'), room.id, 2_592_000);
      expect(month.statusCode).toBe(409);
      expect(month.json().error.message).toMatch(/^quota exceeded: maxAgeS 2592000 s runs past/);
      expect(await maxAgeOf(room.id)).toBe(3600);
      expect(await denied()).toEqual([
        ['alice', 'denied', { maxAgeS: 0, reason: 'quota_exceeded' }],
        ['alice', 'denied', { maxAgeS: 2_592_000, reason: 'quota_exceeded' }],
      ]);
      // shorter, then back: the hour is its own
      expect((await patch(as('brt_alice'), room.id, 1800)).statusCode).toBe(200);
      expect((await patch(as('brt_alice'), room.id, 3600)).statusCode).toBe(200);
      expect(await maxAgeOf(room.id)).toBe(3600);
    });

    it("the owner link on a creator's room: limited by the room's owner, not the caller", async () => {
      const room = await aliceRoom();
      const joined = await call(
        'POST',
        `/api/rooms/${room.id}/join`,
        {},
        {
          invite: inviteOf(room.links!.owner),
          name: 'guest',
        },
      );
      expect(joined.statusCode, joined.body).toBe(200);
      const owner = as(joined.json<{ token: string }>().token);
      for (const maxAgeS of [0, 2_592_000]) {
        const res = await patch(owner, room.id, maxAgeS);
        expect(res.statusCode).toBe(409);
        expect(res.json().error.code).toBe('quota_exceeded');
      }
      expect(await maxAgeOf(room.id)).toBe(3600);
      expect((await denied()).map(([, outcome]) => outcome)).toEqual(['denied', 'denied']);
      expect((await patch(owner, room.id, 600)).statusCode).toBe(200);
      // other timeouts change freely: the room's end stays
      const idle = await call('PATCH', `/api/rooms/${room.id}`, owner, { timeouts: { noInputS: 300 } });
      expect(idle.statusCode).toBe(200);
      expect(idle.json<Room>().timeouts).toMatchObject({ maxAgeS: 600, noInputS: 300 });
    });

    it('operators and admins are not limited (their extend of her room is their decision)', async () => {
      const room = await aliceRoom();
      expect((await patch(as('brt_ops'), room.id, 2_592_000)).statusCode).toBe(200);
      expect((await patch(t.admin, room.id, 0)).statusCode).toBe(200);
      expect(await maxAgeOf(room.id)).toBe(0);
      // while her room has no end, it may take the whole day: her next create is refused
      expect((await create('brt_alice')).json().error.message).toMatch(/a room runs with no max age/);
    });
  });

  it("refuses a recording start of a creator's room at its byte limit: 409 quota_exceeded, exactly", async () => {
    await start({ recordingBytes: 0 });
    const room = (await create('brt_alice')).json<Room>();
    const res = await call('POST', `/api/rooms/${room.id}/recording/start`, as('brt_alice'));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: {
        code: 'quota_exceeded',
        message: 'quota exceeded: recordings may keep 0.0 MiB (0.0 MiB kept): delete some first',
      },
    });
    // an operator recording her room counts against her too: refused the same
    expect((await call('POST', `/api/rooms/${room.id}/recording/start`, as('brt_ops'))).statusCode).toBe(409);
    await call('PUT', '/api/accounts/alice/quota', t.admin, { recordingBytes: null });
    expect((await call('POST', `/api/rooms/${room.id}/recording/start`, as('brt_alice'))).statusCode).toBe(
      200,
    );
  });
});
