import { pino, type Logger } from 'pino';
import { prettyDestination } from '@boxroom/contracts/pretty-log';
import { withMappedStack } from '@boxroom/contracts/stack-map';

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

/**
 * JSON lines on stdout; readable lines when stdout is a terminal (`npm start` by hand), formatted
 * from the same redacted JSON.
 */
export function createRootLogger(level = 'info'): Logger {
  const options = {
    level,
    base: { svc: 'dashboard' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // stacks point at the TypeScript sources, mapped when an error is logged (not at every start)
    serializers: { err: (e: unknown) => withMappedStack(pino.stdSerializers.err(e as Error)) },
  };
  // a terminal's writes are synchronous; anything else keeps pino's own fast destination (fd 1)
  return process.stdout.isTTY ? pino(options, prettyDestination(process.stdout)) : pino(options);
}

/** Strip the query string from a URL before it is logged: it may carry a token. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[redacted]`;
}
