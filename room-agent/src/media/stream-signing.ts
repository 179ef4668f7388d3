import { createHash, randomBytes } from 'node:crypto';

/**
 * Signatures live this long. NMS checks one once, when a session starts (a play, or our in-process
 * publisher's first byte), and every signature is made right before it is used: the publisher's at
 * each ffmpeg start, a play URL when asked for. An hour leaves room for a slow start and a debugging
 * session, and a leaked one stops working soon.
 */
export const STREAM_SIGN_TTL_S = 3600;

/** A fresh secret per media-server start, kept in memory only: signatures of an earlier run stop working. */
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

/** The `sign` value for `streamPath`, valid for STREAM_SIGN_TTL_S from `nowMs`. */
export function streamSign(streamPath: string, secret: string, nowMs = Date.now()): string {
  return signStreamPath(streamPath, secret, Math.floor(nowMs / 1000) + STREAM_SIGN_TTL_S);
}

export function signedQuery(streamPath: string, secret: string, nowMs = Date.now()): string {
  return `sign=${streamSign(streamPath, secret, nowMs)}`;
}
