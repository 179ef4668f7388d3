import { HeldInput, MAX_HELD_KEYS } from './held-input.js';
import { RFB_CLIENT_MSG, QEMU_SUBTYPE_EXTENDED_KEY_EVENT } from './rfb-messages.js';

/** Pseudo message types the parser reports for the client's side of the handshake. */
export const RFB_HANDSHAKE = {
  protocolVersion: -1,
  securityType: -2,
  clientInit: -3,
} as const;

/** RFB security type "None": x11vnc runs with -nopw behind the agent, which does the authentication. */
export const RFB_SECURITY_NONE = 1;

/** ClientCutText larger than this is refused: a paste that big is an attack or a mistake, not typing. */
export const MAX_CUT_TEXT_BYTES = 1024 * 1024;

/** The spec caps a fence payload at 64 bytes. */
const MAX_FENCE_PAYLOAD_BYTES = 64;

/** Holds the header of a split message until its length is known (the longest header, ClientFence, is 9). */
const HEADER_CARRY_BYTES = 16;

const VERSION_BYTES = 12;

/** The client broke the protocol or asked for something the gate refuses; the connection must end. */
export class RfbProtocolError extends Error {
  override name = 'RfbProtocolError';
}

/** Receives every whole client message, in order: `type` is the RFB type or an RFB_HANDSHAKE value. */
export type RfbMessageHandler = (msg: Buffer, type: number) => void;

const enum Phase {
  version,
  security,
  clientInit,
  messages,
}

/**
 * Incremental framer of the client-to-server half of RFB 3.3/3.7/3.8. It hands on whole messages only,
 * so the gate can inject releases between two messages and never inside one. A message that lies
 * within one chunk is handed on as a view of that chunk (the chunk itself when it is exactly one
 * message, which is how noVNC sends: one WebSocket frame per message); only a message split across
 * chunks is copied, into a buffer of its own because the TCP socket may still hold it after return.
 */
export class RfbClientParser {
  readonly held = new HeldInput();
  /** negotiated minor version: 3, 7 or 8 (0 until the ProtocolVersion arrived) */
  minorVersion = 0;
  private phase = Phase.version;
  private failure: RfbProtocolError | null = null;
  private carry: Buffer | null = null;
  private carryLen = 0;
  /** bytes the carried message needs: its full length once known, else its header length */
  private carryNeed = 0;
  private carryKnown = false;

  constructor(private readonly onMessage: RfbMessageHandler) {}

  get isHandshakeDone(): boolean {
    return this.phase === Phase.messages;
  }

  /** bytes of a message started but not yet complete (dropped if the connection ends now) */
  get partialBytes(): number {
    return this.carry === null ? 0 : this.carryLen;
  }

  /** Feed bytes from the client. Throws RfbProtocolError (and keeps throwing) once the stream is bad. */
  push(chunk: Buffer): void {
    if (this.failure !== null) throw this.failure;
    try {
      this.consume(chunk);
    } catch (err) {
      if (err instanceof RfbProtocolError) this.failure = err;
      throw err;
    }
  }

  private consume(chunk: Buffer): void {
    const end = chunk.length;
    let off = 0;
    if (this.carry !== null) {
      off = this.fillCarry(chunk);
      if (this.carry !== null) return;
    }
    while (off < end) {
      const avail = end - off;
      const len = this.lengthAt(chunk, off, avail);
      if (len > 0 && len <= avail) {
        this.complete(off === 0 && len === end ? chunk : chunk.subarray(off, off + len));
        off += len;
      } else {
        this.startCarry(chunk, off, len);
        return;
      }
    }
  }

  private startCarry(chunk: Buffer, off: number, len: number): void {
    this.carryKnown = len > 0;
    this.carryNeed = len > 0 ? len : -len;
    this.carry = Buffer.allocUnsafe(len > 0 ? len : HEADER_CARRY_BYTES);
    this.carryLen = chunk.copy(this.carry, 0, off);
  }

  /** Completes the carried message from the start of `chunk`; returns how many bytes it took. */
  private fillCarry(chunk: Buffer): number {
    let off = 0;
    for (;;) {
      const carry = this.carry as Buffer;
      const take = Math.min(this.carryNeed - this.carryLen, chunk.length - off);
      chunk.copy(carry, this.carryLen, off, off + take);
      this.carryLen += take;
      off += take;
      if (this.carryLen < this.carryNeed) return off;
      if (this.carryKnown) {
        const msg = carry.length === this.carryNeed ? carry : carry.subarray(0, this.carryNeed);
        this.carry = null;
        this.carryLen = 0;
        this.complete(msg);
        return off;
      }
      const len = this.lengthAt(carry, 0, this.carryLen);
      if (len > 0) {
        if (len > carry.length) {
          const grown = Buffer.allocUnsafe(len);
          carry.copy(grown, 0, 0, this.carryLen);
          this.carry = grown;
        }
        this.carryKnown = true;
        this.carryNeed = len;
      } else {
        this.carryNeed = -len;
      }
    }
  }

  /** Full length of the message at `off`, or minus the header length needed to know it. */
  private lengthAt(buf: Buffer, off: number, avail: number): number {
    switch (this.phase) {
      case Phase.version:
        return VERSION_BYTES;
      case Phase.security:
      case Phase.clientInit:
        return 1;
      case Phase.messages:
        return messageLength(buf, off, avail);
    }
  }

  private complete(msg: Buffer): void {
    let type: number;
    switch (this.phase) {
      case Phase.version:
        this.minorVersion = parseVersion(msg);
        this.phase = this.minorVersion === 3 ? Phase.clientInit : Phase.security;
        type = RFB_HANDSHAKE.protocolVersion;
        break;
      case Phase.security:
        if (msg[0] !== RFB_SECURITY_NONE) {
          throw new RfbProtocolError(`security type ${msg[0]} refused: only None (1) is allowed`);
        }
        this.phase = Phase.clientInit;
        type = RFB_HANDSHAKE.securityType;
        break;
      case Phase.clientInit:
        this.phase = Phase.messages;
        type = RFB_HANDSHAKE.clientInit;
        break;
      case Phase.messages:
        type = msg[0] as number;
        this.track(msg, type);
        break;
    }
    this.onMessage(msg, type);
  }

  /** The message is not forwarded: the connection ends with a protocol error (and releases all). */
  private tooManyKeys(): never {
    throw tooManyKeysError();
  }

  private track(msg: Buffer, type: number): void {
    if (type === RFB_CLIENT_MSG.keyEvent) {
      if (msg[1] !== 0 && this.held.wouldOverflow(msg.readUInt32BE(4), null)) this.tooManyKeys();
      this.held.key(msg[1] !== 0, msg.readUInt32BE(4));
    } else if (type === RFB_CLIENT_MSG.pointerEvent) {
      this.held.pointer(msg[1] as number, msg.readUInt16BE(2), msg.readUInt16BE(4));
    } else if (type === RFB_CLIENT_MSG.qemu) {
      if (msg.readUInt16BE(2) !== 0 && this.held.wouldOverflow(null, msg.readUInt32BE(8))) this.tooManyKeys();
      this.held.qemuKey(msg.readUInt16BE(2) !== 0, msg.readUInt32BE(4), msg.readUInt32BE(8));
    }
  }
}

function tooManyKeysError(): RfbProtocolError {
  return new RfbProtocolError(`more than ${MAX_HELD_KEYS} keys held down at once`);
}

function parseVersion(msg: Buffer): number {
  const text = msg.toString('latin1');
  const m = /^RFB 003\.00([378])\n$/.exec(text);
  if (m === null)
    throw new RfbProtocolError(
      `unsupported ProtocolVersion ${JSON.stringify(text)}: want RFB 003.003, 003.007 or 003.008`,
    );
  return Number(m[1]);
}

/** Length of the client message at `off` (after the handshake); see RFC 6143 7.5 and the extensions noVNC uses. */
function messageLength(buf: Buffer, off: number, avail: number): number {
  const type = buf[off] as number;
  switch (type) {
    case RFB_CLIENT_MSG.setPixelFormat:
      return 20;
    case RFB_CLIENT_MSG.setEncodings:
      return avail < 4 ? -4 : 4 + 4 * buf.readUInt16BE(off + 2);
    case RFB_CLIENT_MSG.framebufferUpdateRequest:
      return 10;
    case RFB_CLIENT_MSG.keyEvent:
      return 8;
    case RFB_CLIENT_MSG.pointerEvent:
      // Always 6: the 7-byte ExtendedMouseButtons form is only legal once the server announced it,
      // and x11vnc does not, so a mask with bit 7 set is an ordinary button 8 here, as x11vnc reads it.
      return 6;
    case RFB_CLIENT_MSG.clientCutText: {
      if (avail < 8) return -8;
      // negative = extended clipboard (noVNC sends it only to servers that announced the extension)
      const n = Math.abs(buf.readInt32BE(off + 4));
      if (n > MAX_CUT_TEXT_BYTES)
        throw new RfbProtocolError(`ClientCutText of ${n} bytes refused (limit ${MAX_CUT_TEXT_BYTES})`);
      return 8 + n;
    }
    case RFB_CLIENT_MSG.enableContinuousUpdates:
      return 10;
    case RFB_CLIENT_MSG.clientFence: {
      if (avail < 9) return -9;
      const n = buf[off + 8] as number;
      if (n > MAX_FENCE_PAYLOAD_BYTES)
        throw new RfbProtocolError(
          `ClientFence payload of ${n} bytes refused (limit ${MAX_FENCE_PAYLOAD_BYTES})`,
        );
      return 9 + n;
    }
    case RFB_CLIENT_MSG.xvp:
      return 4;
    case RFB_CLIENT_MSG.setDesktopSize:
      return avail < 8 ? -8 : 8 + 16 * (buf[off + 6] as number);
    case RFB_CLIENT_MSG.qemu: {
      if (avail < 2) return -2;
      const sub = buf[off + 1] as number;
      if (sub !== QEMU_SUBTYPE_EXTENDED_KEY_EVENT)
        throw new RfbProtocolError(`unknown QEMU client message sub-type ${sub}`);
      return 12;
    }
    default:
      throw new RfbProtocolError(`unknown client message type ${type}`);
  }
}
