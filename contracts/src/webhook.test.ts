import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookSignature } from './webhook.js';

const secret = 'whsec_test-secret-0123456789';
const body = '{"id":"r1.created","type":"room.created"}';
const now = 1_763_900_000_000;

describe('webhook signatures', () => {
  it('signs t.body with HMAC-SHA256, Stripe style', () => {
    const t = Math.floor(now / 1000);
    const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, now)).toBe(`t=${t},v1=${mac}`);
  });

  it('verifies its own signatures', () => {
    expect(verifyWebhook(secret, body, signWebhook(secret, body, now), { nowMs: now })).toBe('ok');
  });

  it('refuses another body, another secret, old or future timestamps, and garbage', () => {
    const header = signWebhook(secret, body, now);
    expect(verifyWebhook(secret, `${body} `, header, { nowMs: now })).toBe('mismatch');
    expect(verifyWebhook('another-secret-0123456789', body, header, { nowMs: now })).toBe('mismatch');
    expect(verifyWebhook(secret, body, header, { nowMs: now + 301_000 })).toBe('stale');
    expect(verifyWebhook(secret, body, header, { nowMs: now - 301_000 })).toBe('stale');
    expect(verifyWebhook(secret, body, header, { nowMs: now + 10_000, toleranceS: 5 })).toBe('stale');
    for (const bad of [undefined, '', 'v1=abc', 't=1', 't=x,v1=00', `t=${now / 1000},v1=zz`]) {
      expect(verifyWebhook(secret, body, bad, { nowMs: now }), String(bad)).toBe('malformed');
    }
  });

  it('accepts any matching v1 of several (secret rotation)', () => {
    const t = Math.floor(now / 1000);
    const old = webhookSignature('the-old-secret-0123456789', body, t).split('v1=')[1];
    const header = `${webhookSignature(secret, body, t)},v1=${old}`;
    expect(verifyWebhook(secret, body, header, { nowMs: now })).toBe('ok');
    expect(verifyWebhook('the-old-secret-0123456789', body, header, { nowMs: now })).toBe('ok');
  });
});
