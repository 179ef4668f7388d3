import BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
import BaseSession from 'node-media-server/src/session/base_session.js';
import { describe, expect, it } from 'vitest';
import { newStreamSecret, signedQuery, signStreamPath, STREAM_SIGN_TTL_S } from './stream-signing.js';

/** NMS's own check, so the test proves compatibility rather than restating our formula. */
function nmsAccepts(streamPath: string, query: string, secret: string): boolean {
  const session = new BaseSession();
  session.streamPath = streamPath;
  session.streamQuery = Object.fromEntries(new URLSearchParams(query));
  return new BroadcastServer(streamPath).verifyAuth(secret, session);
}

describe('stream signing', () => {
  const path = '/live/room-1';

  it('matches the documented format', () => {
    // md5 hex of "/live/room-1-1700000000-s3cret"
    expect(signStreamPath(path, 's3cret', 1_700_000_000)).toBe('1700000000-1dbf7d0ef554d2b7265d60b9d90e3b11');
  });

  it('is accepted by NMS for the same path and secret', () => {
    const secret = newStreamSecret();
    expect(nmsAccepts(path, signedQuery(path, secret), secret)).toBe(true);
  });

  it('is refused by NMS for another secret, another path, an expired sign or none', () => {
    const secret = newStreamSecret();
    expect(nmsAccepts(path, signedQuery(path, secret), newStreamSecret())).toBe(false);
    expect(nmsAccepts('/live/other', signedQuery(path, secret), secret)).toBe(false);
    expect(
      nmsAccepts(path, signedQuery(path, secret, Date.now() - (STREAM_SIGN_TTL_S + 60) * 1000), secret),
    ).toBe(false);
    expect(nmsAccepts(path, '', secret)).toBe(false);
  });

  it('uses a fresh secret each time', () => {
    expect(newStreamSecret()).not.toBe(newStreamSecret());
    expect(newStreamSecret()).toMatch(/^[0-9a-f]{48}$/);
  });
});
