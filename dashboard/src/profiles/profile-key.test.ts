import { describe, expect, it } from 'vitest';
import { profileKey, profileVolumeName } from './profile-key.js';

describe('profile keys', () => {
  it('are fixed-length hex whatever the owner holds, one per owner and name', () => {
    const keys = [
      profileKey({ owner: 'operator', name: 'work' }),
      profileKey({ owner: 'operator', name: 'Work' }),
      profileKey({ owner: 'bob@example.com', name: 'work' }),
      profileKey({ owner: '../../etc', name: 'work' }),
      // the separator cannot be forged: "a" + "b\0c" is not "a\0b" + "c"
      profileKey({ owner: 'a\u0000b', name: 'c' }),
      profileKey({ owner: 'a', name: 'b\u0000c' }),
    ];
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
    expect(profileKey({ owner: 'operator', name: 'work' })).toBe(keys[0]);
  });

  it('name volumes by instance, so two dashboards on one engine keep their own', () => {
    const ref = { owner: 'operator', name: 'work' };
    expect(profileVolumeName('prod', ref)).toBe(`boxroom-prod-profile-${profileKey(ref)}`);
    expect(profileVolumeName('prod', ref)).not.toBe(profileVolumeName('staging', ref));
    // a valid docker volume name: [a-zA-Z0-9][a-zA-Z0-9_.-]+
    expect(profileVolumeName('prod', ref)).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });
});
