import { describe, expect, it } from 'vitest';
import { findPasswdUser, resolveDesktopIdentity } from './desktop-user.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'boxroom-desktop:x:1001:1001::/home/boxroom-desktop:/usr/sbin/nologin',
  'rooty:x:0:0::/:/bin/sh',
  'grouped:x:1002:0::/:/bin/sh',
  '',
].join('\n');

describe('desktop identity', () => {
  it('reads the uid and gid from passwd', () => {
    expect(findPasswdUser(PASSWD, 'boxroom-desktop')).toEqual({
      name: 'boxroom-desktop',
      uid: 1001,
      gid: 1001,
    });
    expect(findPasswdUser(PASSWD, 'boxroom')).toBeNull();
  });

  it('separates only when the agent is root and the user exists and is not root', () => {
    expect(resolveDesktopIdentity('boxroom-desktop', 0, PASSWD)).toEqual({
      isolation: 'desktop-user',
      user: { name: 'boxroom-desktop', uid: 1001, gid: 1001 },
    });
    const none = (name: string, uid: number) => resolveDesktopIdentity(name, uid, PASSWD);
    expect(none('boxroom-desktop', 1000)).toMatchObject({
      isolation: 'none',
      why: expect.stringMatching(/not root/),
    });
    expect(none('missing', 0)).toMatchObject({
      isolation: 'none',
      why: expect.stringMatching(/does not exist/),
    });
    expect(none('rooty', 0).isolation).toBe('none');
    expect(none('grouped', 0).isolation).toBe('none');
  });
});
