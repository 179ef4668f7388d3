import { createHash, randomBytes } from 'node:crypto';

/**
 * Signed URLs live this long; NMS checks the signature once, at connect, so a long one is harmless.
 * The secret is per media-server start and lives only in memory, and ffmpeg is restarted with the same
 * URL for the life of the room: a year keeps a long-lived room publishable after any restart.
 */
export const STREAM_SIGN_TTL_S = 365 * 24 * 3600;

/** A fresh secret per media-server start: URLs signed by an earlier run stop working. */
export function newStreamSecret(): string {
  return randomBytes(24).toString('hex');
}

/**
 * NMS v4's signed-URL scheme (broadcast_server.js verifyAuth):
 * `sign=<expiry unix s>-<md5 hex of "<streamPath>-<expiry>-<secret>">`, with streamPath `/app/name`.
 */
export function signStreamPath(streamPath: string, secret: string, expiresAtS: number): string {
  const digest = createHash('md5').update(`${streamPath}-${expiresAtS}-${secret}`).digest('hex');
  return `${expiresAtS}-${digest}`;
}

export function signedQuery(streamPath: string, secret: string, nowMs = Date.now()): string {
  const expiresAtS = Math.floor(nowMs / 1000) + STREAM_SIGN_TTL_S;
  return `sign=${signStreamPath(streamPath, secret, expiresAtS)}`;
}
