import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OperatorSessions } from './operator-session.js';

const KEY = randomBytes(32);
const ALICE = { id: 'oidc:0123456789abcdef0123456789abcdef', name: 'Alice Ö', role: 'creator' as const };

describe('operator session cookie format', () => {
  it('v1 for the admin token, v2 carrying the account for OpenID Connect', () => {
    const s = new OperatorSessions(KEY, 'admin-token-0123456789');
    const admin = s.issue();
    expect(admin.cookie).toMatch(/^v1\.\d+\.[\w-]+\.[\w-]{43}$/);
    expect(s.verify(admin.cookie)).toEqual({ csrf: admin.csrf, expiresAt: admin.expiresAt, account: null });
    const oidc = s.issue(ALICE);
    expect(oidc.cookie).toMatch(/^v2\.\d+\.[\w-]+\.[\w-]+\.[\w-]{43}$/);
    const payload = oidc.cookie.split('.')[3]!;
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(ALICE);
    expect(s.verify(oidc.cookie)).toEqual({ csrf: oidc.csrf, expiresAt: oidc.expiresAt, account: ALICE });
    // each session has its own CSRF token
    expect(oidc.csrf).not.toBe(admin.csrf);
  });

  it('refuses an altered account, a changed version, another key and an expired session', () => {
    let now = 1_000_000;
    const s = new OperatorSessions(KEY, 'admin-token-0123456789', () => now);
    const { cookie } = s.issue(ALICE);
    const parts = cookie.split('.');
    const admin = Buffer.from(JSON.stringify({ ...ALICE, role: 'admin' })).toString('base64url');
    expect(s.verify([...parts.slice(0, 3), admin, parts[4]].join('.'))).toBeNull();
    expect(s.verify(['v1', ...parts.slice(1)].join('.'))).toBeNull();
    expect(s.verify([...parts.slice(0, 3), parts[4]].join('.'))).toBeNull();
    // a new admin token signs everyone out
    expect(new OperatorSessions(KEY, 'another-admin-token-012', () => now).verify(cookie)).toBeNull();
    expect(s.verify(`${cookie}${'x'.repeat(1100)}`)).toBeNull();
    now += 12 * 3600_000;
    expect(s.verify(cookie)).toBeNull();
  });

  it('refuses a signed payload that is no account (never a principal)', () => {
    const s = new OperatorSessions(KEY, 'admin-token-0123456789');
    const forged = s.issue({ ...ALICE, role: 'root' as 'admin' });
    expect(s.verify(forged.cookie)).toBeNull();
  });
});
