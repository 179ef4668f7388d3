import { pino, type Logger } from 'pino';
import { prettyDestination } from '@boxroom/contracts/pretty-log';
import { withMappedStack } from '@boxroom/contracts/stack-map';

export type { Logger };

/** Paths whose values never reach a log line: tokens travel in `?token=` on WebSocket URLs. */
export const REDACT_PATHS = ['req.headers.authorization', 'token', '*.token', 'headers.authorization'];

/** JSON lines on stdout (a room's log file or container log); readable lines on a terminal. */
export function createRootLogger(level = 'info'): Logger {
  const options = {
    level,
    base: { svc: 'room-agent' },
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
