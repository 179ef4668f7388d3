import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing and checking webhook bodies, Stripe's scheme: `t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`.
 * Node only (node:crypto), so it is the subpath export `@boxroom/contracts/webhook`, never part of the
 * index the browser imports.
 */

/** Receivers refuse signatures older (or newer) than this: a replayed request is worthless. */
export const WEBHOOK_TOLERANCE_S = 300;

export function webhookSignature(secret: string, body: string, unixS: number): string {
  const mac = createHmac('sha256', secret).update(`${unixS}.${body}`).digest('hex');
  return `t=${unixS},v1=${mac}`;
}

export function signWebhook(secret: string, body: string, nowMs: number = Date.now()): string {
  return webhookSignature(secret, body, Math.floor(nowMs / 1000));
}

export type WebhookVerdict = 'ok' | 'malformed' | 'stale' | 'mismatch';

/**
 * Checks a signature header against the raw body (exactly the bytes received, before any JSON
 * parsing). Several v1 entries are allowed, for secret rotation. Constant-time comparison.
 */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string | undefined | null,
  opts: { nowMs?: number; toleranceS?: number } = {},
): WebhookVerdict {
  if (!header) return 'malformed';
  let t: number | null = null;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const [k, v] = [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) macs.push(v);
  }
  if (t === null || macs.length === 0) return 'malformed';
  const nowS = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowS - t) > (opts.toleranceS ?? WEBHOOK_TOLERANCE_S)) return 'stale';
  const expected = Buffer.from(webhookSignature(secret, body, t).slice(`t=${t},v1=`.length), 'hex');
  return macs.some((m) => timingSafeEqual(Buffer.from(m, 'hex'), expected)) ? 'ok' : 'mismatch';
}
