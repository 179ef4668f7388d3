/**
 * The byte protocol between the agent and boxroom-clipboard (room-agent/capture/boxroom-clipboard.c).
 * To it: a 4-byte big-endian length and that many bytes of UTF-8, the text to own as CLIPBOARD and
 * PRIMARY. From it: a kind byte, a 4-byte big-endian length and the payload.
 */

/** What boxroom-clipboard reports. */
export type ClipboardHelperFrame =
  | { kind: 'ready' }
  /** CLIPBOARD has a new owner in the room and this is its text */
  | { kind: 'copied'; text: string }
  /** CLIPBOARD has a new owner whose text could not be had; `why` is the helper's words */
  | { kind: 'refused'; why: string }
  /** the oldest paste not yet answered is the room's CLIPBOARD and PRIMARY now */
  | { kind: 'pasted' }
  /** the oldest paste not yet answered could not be made the selections */
  | { kind: 'paste-failed'; why: string };

const HEADER_BYTES = 5;
const KIND = { ready: 0x52, copied: 0x43, refused: 0x58, pasted: 0x50, pasteFailed: 0x46 } as const; // R C X P F

/** The helper broke its own protocol: the agent ends it (the supervisor starts a fresh one). */
export class ClipboardFrameError extends Error {
  override name = 'ClipboardFrameError';
}

/** One paste for the helper's stdin. */
export function encodePaste(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/**
 * Incremental reader of the helper's stdout. A payload longer than `maxBytes` is a broken helper
 * (it refuses larger text itself), not something to buffer.
 */
export class ClipboardFrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxBytes: number,
    private readonly onFrame: (frame: ClipboardHelperFrame) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= HEADER_BYTES) {
      const kind = this.buf[0] as number;
      const len = this.buf.readUInt32BE(1);
      if (len > this.maxBytes)
        throw new ClipboardFrameError(`frame of ${len} bytes (limit ${this.maxBytes})`);
      if (this.buf.length < HEADER_BYTES + len) return;
      const payload = this.buf.subarray(HEADER_BYTES, HEADER_BYTES + len);
      this.buf = this.buf.subarray(HEADER_BYTES + len);
      this.onFrame(decode(kind, payload));
    }
  }
}

function decode(kind: number, payload: Buffer): ClipboardHelperFrame {
  switch (kind) {
    case KIND.ready:
      return { kind: 'ready' };
    case KIND.copied:
      return { kind: 'copied', text: payload.toString('utf8') };
    case KIND.refused:
      return { kind: 'refused', why: payload.toString('latin1') };
    case KIND.pasted:
      return { kind: 'pasted' };
    case KIND.pasteFailed:
      return { kind: 'paste-failed', why: payload.toString('latin1') };
    default:
      throw new ClipboardFrameError(`unknown frame kind ${kind}`);
  }
}
