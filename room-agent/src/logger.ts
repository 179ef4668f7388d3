import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line: tokens travel in `?token=` on WebSocket URLs. */
export const REDACT_PATHS = ['req.headers.authorization', 'token', '*.token', 'headers.authorization'];

export function createRootLogger(level = 'info'): Logger {
  return pino({ level, base: { svc: 'room-agent' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}

/** Strip the query string from a URL before it is logged: it may carry a token. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}
