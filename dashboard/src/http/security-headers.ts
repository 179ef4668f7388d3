import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries: no MIME sniffing (a proxied or user-influenced body is never run as
 * something else), no Referer (room URLs are nobody's business; invites travel in the fragment
 * anyway), and no framing by other sites (clickjacking of control buttons).
 */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(BASE_SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
}

/** sha256 sources of the inline scripts of a page (`<script>` without src), for its CSP. */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const body = m[1] ?? '';
    if (body.trim()) out.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return out;
}

/**
 * The pages' Content-Security-Policy. Scripts: our own files and the page's hashed inline preload
 * script only. `blob:` for media and workers: the player feeds Media Source Extensions through a blob
 * URL. Styles may be inline (the page's own <style>, lit's style bindings). WebSockets and fetches
 * go to this origin only ('self' covers ws: and wss: of it).
 */
export function pageCsp(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
