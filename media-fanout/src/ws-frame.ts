/** FIN + opcode 2: one whole binary message */
const FIN_BINARY = 0x82;

/**
 * One unmasked (server to client) WebSocket binary frame carrying `payload`, in one Buffer: header
 * and a copy of the payload. Built once per tag and written as is to every viewer's socket, so a tag
 * costs the fan-out one frame, not one per viewer (RFC 6455, section 5.2).
 */
export function wsBinaryFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = FIN_BINARY;
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(frame, head);
  return frame;
}

/**
 * The live tag being fanned out, in the forms its transports send it, each built on first use and
 * then shared by every viewer of that transport. One object per fan-out, reset for each tag.
 */
export class TagFrames {
  private tag: Buffer = Buffer.alloc(0);
  private wsFrame: Buffer | null = null;

  reset(tag: Buffer): void {
    this.tag = tag;
    this.wsFrame = null;
  }

  /** the tag as one WebSocket binary message, header included */
  ws(): Buffer {
    this.wsFrame ??= wsBinaryFrame(this.tag);
    return this.wsFrame;
  }
}
