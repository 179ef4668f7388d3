import { describe, expect, it } from 'vitest';
import { parseRoleRules } from '../../oidc-settings.js';
import { claimValues, roleFor } from './role-mapping.js';

const rules = parseRoleRules(['boxroom-admins=admin', 'boxroom-ops=operator', '*=creator']);

describe('role mapping (BOXROOM_OIDC_ROLES)', () => {
  it('gives the strongest role any rule matches, whatever the rules order', () => {
    expect(roleFor({ groups: ['staff', 'boxroom-admins'] }, 'groups', rules)).toBe('admin');
    expect(roleFor({ groups: ['boxroom-ops', 'boxroom-admins'] }, 'groups', rules)).toBe('admin');
    const reversed = parseRoleRules(['*=creator', 'boxroom-ops=operator', 'boxroom-admins=admin']);
    expect(roleFor({ groups: ['boxroom-admins'] }, 'groups', reversed)).toBe('admin');
    expect(roleFor({ groups: ['boxroom-ops'] }, 'groups', rules)).toBe('operator');
    expect(roleFor({ groups: ['staff'] }, 'groups', rules)).toBe('creator');
    expect(roleFor({}, 'groups', rules)).toBe('creator');
  });

  it('refuses (null) when nothing matches and there is no `*`', () => {
    const strict = parseRoleRules(['boxroom-admins=admin', 'boxroom-users=creator']);
    expect(roleFor({ groups: ['staff'] }, 'groups', strict)).toBeNull();
    expect(roleFor({}, 'groups', strict)).toBeNull();
    expect(roleFor({ groups: 'boxroom-users' }, 'groups', strict)).toBe('creator');
    // another claim's values do not count
    expect(roleFor({ roles: ['boxroom-admins'] }, 'groups', strict)).toBeNull();
  });

  it('reads strings, arrays of strings and dotted paths (Keycloak realm roles)', () => {
    expect(claimValues({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(claimValues({ groups: ['a', 1, null, 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(claimValues({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(claimValues({ realm_access: { roles: ['x', 'y'] } }, 'realm_access.roles')).toEqual(['x', 'y']);
    // a claim named with a dot wins over the walk
    expect(claimValues({ 'a.b': ['flat'], a: { b: ['deep'] } }, 'a.b')).toEqual(['flat']);
    expect(claimValues({ a: 'str' }, 'a.b')).toEqual([]);
  });

  it('parses `value=role` items and refuses anything else', () => {
    expect(parseRoleRules(['boxroom admins=admin', '/team/ops=operator'])).toEqual([
      { value: 'boxroom admins', role: 'admin' },
      { value: '/team/ops', role: 'operator' },
    ]);
    expect(() => parseRoleRules(['a=b=admin'])).toThrow();
    expect(() => parseRoleRules(['admins=root'])).toThrow(/admin\|operator\|creator/);
    expect(() => parseRoleRules(['=admin'])).toThrow();
    expect(parseRoleRules(['*=creator'])).toEqual([{ value: '*', role: 'creator' }]);
  });
});
