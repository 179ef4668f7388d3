import { describe, expect, it } from 'vitest';
import { listenHost, localIsolation, userUid } from './isolation.js';

describe('localIsolation', () => {
  const users: Record<string, number> = { 'boxroom-desktop': 999, root: 0 };
  const lookup = (name: string) => users[name] ?? null;

  const noUseradd = () => false;

  it('root with useradd (a user per room), or with the shared desktop user: separated', () => {
    expect(localIsolation('nobody-here', 0, lookup, () => true)).toEqual({
      isolation: 'desktop-user',
      reason: null,
    });
    expect(localIsolation('boxroom-desktop', 0, lookup, noUseradd)).toEqual({
      isolation: 'desktop-user',
      reason: null,
    });
  });

  it('not root: not separated, and says why', () => {
    const iso = localIsolation('boxroom-desktop', 1000, lookup, () => true);
    expect(iso.isolation).toBe('none');
    expect(iso.reason).toBe(
      'the dashboard runs as uid 1000, not root, so it cannot run desktops as boxroom-desktop',
    );
  });

  it('root without the user, or with a root "desktop user": not separated', () => {
    expect(localIsolation('nobody-here', 0, lookup, noUseradd)).toMatchObject({
      isolation: 'none',
      reason: expect.stringContaining('run scripts/setup.sh as root'),
    });
    expect(localIsolation('root', 0, lookup, noUseradd).isolation).toBe('none');
  });

  it('userUid asks the system (root is 0, a made-up name is null)', () => {
    expect(userUid('root')).toBe(0);
    expect(userUid('no-such-user-boxroom-xyz')).toBeNull();
  });
});

describe('listenHost', () => {
  const none = { isolation: 'none' as const, reason: 'x' };
  const ok = { isolation: 'desktop-user' as const, reason: null };
  const dflt = { host: '0.0.0.0', hostSetByOperator: false };

  it('narrows to loopback when local rooms are not separated and the operator chose no address', () => {
    expect(listenHost(dflt, 'local', none)).toEqual({ host: '127.0.0.1', narrowed: true });
  });

  it("keeps the operator's address, an isolated local driver's, and docker's", () => {
    expect(listenHost({ host: '0.0.0.0', hostSetByOperator: true }, 'local', none)).toEqual({
      host: '0.0.0.0',
      narrowed: false,
    });
    expect(listenHost(dflt, 'local', ok).host).toBe('0.0.0.0');
    expect(listenHost(dflt, 'docker', null).host).toBe('0.0.0.0');
  });
});
