import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, inviteOf, type TestApp } from '../testing/test-app.js';

/** A tiny seeded PRNG: a failing case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ROUTES: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: (id: string) => string }> = [
  { method: 'POST', path: () => '/api/rooms' },
  { method: 'GET', path: () => '/api/rooms' },
  { method: 'GET', path: (id) => `/api/rooms/${id}` },
  { method: 'DELETE', path: (id) => `/api/rooms/${id}` },
  { method: 'POST', path: (id) => `/api/rooms/${id}/join` },
  { method: 'POST', path: (id) => `/api/rooms/${id}/control/request` },
  { method: 'POST', path: (id) => `/api/rooms/${id}/control/give` },
  {
    method: 'POST',
    path: (id) => `/api/rooms/${id}/control/${['take', 'x', '', '..', 'reset'][id.length % 5]}`,
  },
  { method: 'POST', path: (id) => `/api/rooms/${id}/invites/viewer/revoke` },
  { method: 'GET', path: (id) => `/rooms/${id}/stream.flv?token=${id}` },
  { method: 'GET', path: (id) => `/rooms/${id}/snapshot.jpg` },
];

describe('fuzz: random ids, bodies and headers never give a 5xx', () => {
  let t: TestApp;
  let ids: string[];
  let tokens: string[];

  beforeAll(async () => {
    t = await buildTestApp({ agentUrl: 'http://127.0.0.1:9' });
    const room = (await t.app.inject({ method: 'POST', url: '/api/rooms', headers: t.admin })).json();
    const join = await t.app.inject({
      method: 'POST',
      url: `/api/rooms/${room.id}/join`,
      payload: { invite: inviteOf(room.links.participant), name: 'fuzz' },
    });
    ids = [
      room.id,
      'zzzzzzzzzz',
      'A',
      '',
      '%2e%2e',
      'x'.repeat(300),
      '..%2f..%2fetc',
      'abcdefghi\u00e9',
      '%00',
      '0123456789',
    ];
    tokens = [join.json().token, 'garbage', 'Bearer', '', 'a.b.c', 'x'.repeat(5000)];
  });
  afterAll(() => t.close());

  const values = (r: () => number): unknown[] => [
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    1e308,
    '',
    'x'.repeat(Math.floor(r() * 200)),
    '\u0000\u202e<script>',
    [],
    {},
    { __proto__: { admin: true } },
    ids[Math.floor(r() * ids.length)],
  ];

  function randomBody(r: () => number): unknown {
    const keys = ['name', 'width', 'height', 'fps', 'app', 'invite', 'participantId', 'extra', 'constructor'];
    const body: Record<string, unknown> = {};
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) {
      const vs = values(r);
      body[keys[Math.floor(r() * keys.length)]!] = vs[Math.floor(r() * vs.length)];
    }
    const shapes = [body, JSON.stringify(body), '{"name":', '[1,2', 'null', '"str"', '', body];
    return shapes[Math.floor(r() * shapes.length)];
  }

  it('400 cases', async () => {
    const r = rng(20240601);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const route = ROUTES[Math.floor(r() * ROUTES.length)]!;
      const id = ids[Math.floor(r() * ids.length)]!;
      const token = tokens[Math.floor(r() * tokens.length)]!;
      const headers: Record<string, string> = {};
      if (r() < 0.3) Object.assign(headers, t.admin);
      else if (r() < 0.7) headers.authorization = `Bearer ${token}`;
      else if (r() < 0.8) headers.authorization = token;
      const body = route.method === 'POST' ? randomBody(r) : undefined;
      if (body !== undefined) headers['content-type'] = r() < 0.9 ? 'application/json' : 'text/plain';
      const res = await t.app.inject({
        method: route.method,
        url: route.path(encodeURIComponent(id).replace(/%2F/g, '/')),
        headers,
        payload: typeof body === 'string' ? body : (body as object | undefined),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      // 503 is a legitimate answer here (the fake agent URL does not listen); 500 never is.
      expect(
        res.statusCode === 500 || res.statusCode > 503,
        `#${i} ${route.method} ${res.statusCode} ${res.body}`,
      ).toBe(false);
      if (res.statusCode >= 400) {
        const err = res.json().error;
        expect(typeof err.code).toBe('string');
        expect(typeof err.message).toBe('string');
      }
    }
    // the fuzz reached the handlers, not just the validators
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(0);
  }, 60_000);
});
