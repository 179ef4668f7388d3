import nmsLogger from 'node-media-server/src/core/logger.js';
import type { Logger } from '../logger.js';

/**
 * NMS logs through one module-level logger that writes with console.log, and its constructor forces
 * the level to "debug" (a line per connect, play and close). Replace its sink: everything goes to our
 * pino at debug, except NMS errors (refused signatures, parse errors), which stay visible at warn.
 * Its trace level (a line per parsed FLV tag) is dropped before a string is built for pino.
 */
export function bridgeNmsLogs(log: Logger): void {
  nmsLogger.log = (message: string, level = 'info') => {
    if (level === 'trace') return;
    if (level === 'error' || level === 'warn') log.warn({ nms: level }, message);
    else log.debug(message);
  };
}
