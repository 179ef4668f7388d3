import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Values that never reach a log line: bearer headers, tokens and invite secrets. Request URLs are
 * logged through redactUrl() because WebSocket and FLV URLs carry `?token=`.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'invite',
  '*.invite',
  'adminToken',
  '*.adminToken',
];

export function createRootLogger(level = 'info'): Logger {
  return pino({ level, base: { svc: 'dashboard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** Strip the query string from a URL before it is logged: it may carry a token. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}
