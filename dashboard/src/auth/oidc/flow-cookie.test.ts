import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FLOW_TTL_MS, FlowCookies, flowCookie } from './flow-cookie.js';

const FLOW = { verifier: 'v'.repeat(43), state: 's'.repeat(43), nonce: 'n'.repeat(43) };

describe('the sign-in flow cookie', () => {
  it('round-trips, and refuses another key, an altered flow and an expired one', () => {
    let now = 5_000_000;
    const key = randomBytes(32);
    const flows = new FlowCookies(key, () => now);
    const sealed = flows.seal(FLOW);
    expect(sealed.length).toBeLessThan(400);
    expect(flows.open(sealed)).toEqual(FLOW);
    expect(new FlowCookies(randomBytes(32), () => now).open(sealed)).toBeNull();
    const [v, exp, , mac] = sealed.split('.');
    const other = Buffer.from(JSON.stringify({ ...FLOW, state: 'x' })).toString('base64url');
    expect(flows.open([v, exp, other, mac].join('.'))).toBeNull();
    expect(flows.open(undefined)).toBeNull();
    expect(flows.open(`${sealed}${'a'.repeat(600)}`)).toBeNull();
    now += FLOW_TTL_MS;
    expect(flows.open(sealed)).toBeNull();
  });

  it('is HttpOnly, Lax (it must come back with the provider redirect) and sent to the callback only', () => {
    expect(flowCookie('abc', 600, true)).toBe(
      'boxroom_oidc=abc; Path=/api/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=600; Secure',
    );
  });
});
