import { describe, expect, it } from 'vitest';
import { WS_CLOSE, type TokenClaims } from '@boxroom/contracts';
import { createRootLogger } from '../logger.js';
import { FakeClock } from '../testing/fake-clock.js';
import { AuthError } from './token-verifier.js';
import { RightsRegistry } from './rights-registry.js';

const log = createRootLogger(process.env.BOXROOM_LOG_LEVEL ?? 'silent');

function setup() {
  const clock = new FakeClock();
  clock.t = 1_000_000_000; // s since epoch 1_000_000
  const rights = new RightsRegistry(log, clock);
  const nowS = () => Math.floor(clock.now() / 1000);
  const claims = (over: Partial<TokenClaims> = {}): TokenClaims => ({
    iss: 'boxroom',
    sub: 'p1',
    room: 'r',
    role: 'participant',
    name: 'P',
    iat: nowS(),
    exp: nowS() + 60,
    ...over,
  });
  const closed: Array<[string, number]> = [];
  const open = (c: TokenClaims, label = c.sub) => rights.track(c, (code) => closed.push([label, code]));
  return { clock, rights, claims, closed, open, nowS };
}

describe('RightsRegistry', () => {
  it('closes a connection with 4410 when its token expires, not before', () => {
    const { clock, claims, closed, open } = setup();
    open(claims());
    clock.advance(59_999);
    expect(closed).toEqual([]);
    clock.advance(1);
    expect(closed).toEqual([['p1', WS_CLOSE.tokenExpired]]);
  });

  it('a renewal moves the deadline of every connection of that participant, and only theirs', () => {
    const { clock, rights, claims, closed, open, nowS } = setup();
    open(claims(), 'p1-session');
    open(claims(), 'p1-stream');
    open(claims({ sub: 'p2' }), 'p2');
    clock.advance(30_000);
    expect(rights.renew(claims({ iat: nowS(), exp: nowS() + 60 }))).toBe(2);
    clock.advance(30_000);
    expect(closed).toEqual([['p2', WS_CLOSE.tokenExpired]]);
    clock.advance(30_000);
    expect(closed.map(([l]) => l).sort()).toEqual(['p1-session', 'p1-stream', 'p2']);
  });

  it('a stopped connection is forgotten and its timer cleared', () => {
    const { clock, rights, claims, closed, open } = setup();
    const stop = open(claims());
    stop();
    expect(rights.size()).toBe(0);
    expect(clock.pending()).toBe(0);
    clock.advance(120_000);
    expect(closed).toEqual([]);
  });

  it('a kick closes the participant with 4412 and refuses their tokens until they run out', () => {
    const { clock, rights, claims, closed, open, nowS } = setup();
    open(claims());
    open(claims({ sub: 'p2' }));
    rights.apply({ kicked: [{ participantId: 'p1', until: nowS() + 60 }], revokedBefore: {} });
    expect(closed).toEqual([['p1', WS_CLOSE.kicked]]);
    expect(() => rights.check(claims())).toThrow(AuthError);
    expect(() => rights.renew(claims({ exp: nowS() + 120 }))).toThrow(/removed/);
    rights.check(claims({ sub: 'p2' }));
    clock.advance(61_000);
    rights.apply({ kicked: [], revokedBefore: {} });
    expect(rights.isKicked('p1')).toBe(false);
  });

  it('a revocation closes that role with 4411 when issued before it, and refuses those tokens', () => {
    const { rights, claims, closed, open, nowS } = setup();
    open(claims({ iat: nowS() - 10 }), 'old participant');
    open(claims({ sub: 'v', role: 'viewer', iat: nowS() - 10 }), 'viewer');
    open(claims({ sub: 'n', iat: nowS() + 1 }), 'new participant');
    rights.apply({ kicked: [], revokedBefore: { participant: nowS() } });
    expect(closed).toEqual([['old participant', WS_CLOSE.inviteRevoked]]);
    try {
      rights.check(claims({ iat: nowS() - 1 }));
      expect.unreachable();
    } catch (err) {
      expect((err as AuthError).closeCode).toBe(WS_CLOSE.inviteRevoked);
    }
    rights.check(claims({ iat: nowS() }));
    // merging an older revocation changes nothing
    rights.apply({ kicked: [], revokedBefore: { participant: nowS() - 100 } });
    rights.check(claims({ iat: nowS() }));
  });

  it('operator tokens have no invite and are never revoked', () => {
    const { rights, claims, nowS } = setup();
    rights.apply({ kicked: [], revokedBefore: { owner: nowS() + 10 } });
    rights.check(claims({ role: 'operator' }));
    expect(() => rights.check(claims({ role: 'owner' }))).toThrow(/revoked/);
  });

  it('the dashboard`s own tokens (aud) are never refused, whatever their sub', () => {
    const { rights, claims, nowS } = setup();
    rights.apply({ kicked: [{ participantId: 'boxroom-dashboard', until: nowS() + 60 }], revokedBefore: {} });
    rights.check(claims({ sub: 'boxroom-dashboard', role: 'operator', aud: 'boxroom-agent' }));
  });
});
