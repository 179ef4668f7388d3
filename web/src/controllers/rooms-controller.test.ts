// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomsController } from './rooms-controller.js';

const room = (id: string, status: string) => ({
  id,
  name: id,
  status,
  links: { owner: `http://box.test/r/${id}#invite=owner-secret` },
});

describe('RoomsController thumbnails', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks a viewer token of each ready room, once until it nears its expiry, and never joins', async () => {
    const calls: [string, string, Record<string, string>][] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push([init.method!, url, init.headers as Record<string, string>]);
      const body = url.endsWith('/viewer-token')
        ? {
            token: `viewer-of-${url.split('/')[3]}`,
            role: 'viewer',
            participantId: 'p1',
            expiresAt: new Date(Date.now() + 900_000).toISOString(),
          }
        : { rooms: [room('aaaaaaaaaa', 'ready'), room('bbbbbbbbbb', 'starting')] };
      return new Response(JSON.stringify(body), { status: 200 });
    });
    const host = { addController: vi.fn(), requestUpdate: vi.fn() };
    const c = new RoomsController(host as never);
    c.start('the-csrf');
    await vi.waitFor(() => expect(c.thumbToken('aaaaaaaaaa')).toBe('viewer-of-aaaaaaaaaa'));
    c.refresh();
    await vi.waitFor(() => expect(calls.filter(([, u]) => u === '/api/rooms')).toHaveLength(2));
    c.stop();
    expect(calls.filter(([, u]) => u !== '/api/rooms')).toEqual([
      ['POST', '/api/rooms/aaaaaaaaaa/viewer-token', { 'x-csrf-token': 'the-csrf' }],
    ]);
    expect(c.thumbToken('bbbbbbbbbb')).toBeNull();
  });
});
