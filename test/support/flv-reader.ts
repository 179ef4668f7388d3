import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';

export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;
export const FLV_CODEC_H264 = 7;
export const FLV_SOUND_AAC = 10;

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface FlvTag {
  type: number;
  /** ms, with the extended byte applied */
  timestamp: number;
  /** data size (without the 11-byte tag header and the 4-byte PreviousTagSize) */
  size: number;
  /** video: 1 key, 2 inter */
  frameType?: number;
  /** video codec id: 7 = AVC */
  codecId?: number;
  /** AVC: 0 sequence header, 1 NALU, 2 end of sequence */
  avcPacketType?: number;
  /** audio sound format: 10 = AAC */
  soundFormat?: number;
  /** AAC: 0 sequence header, 1 raw */
  aacPacketType?: number;
  /** the tag's data; kept only when the reader was created with keepData */
  data?: Buffer;
  /** when the tag's last byte arrived (performance.now()) */
  receivedAt: number;
}

type FlvReaderEvents = { header: [FlvHeader]; tag: [FlvTag]; error: [Error] };

const FLV_HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
const PREV_SIZE_BYTES = 4;

/**
 * Incremental FLV parser: push() any chunking of an FLV byte stream, get `header` and `tag` events.
 * Checks the signature and every PreviousTagSize, so a framing bug in the server shows up as `error`.
 */
export class FlvReader extends EventEmitter<FlvReaderEvents> {
  header: FlvHeader | null = null;
  readonly tags: FlvTag[] = [];
  bytes = 0;
  failed: Error | null = null;
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly opts: { keepTags?: boolean; keepData?: boolean } = {}) {
    super();
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.bytes += chunk.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let off = 0;
    const buf = this.pending;
    try {
      if (!this.header) {
        if (buf.length < FLV_HEADER_BYTES + PREV_SIZE_BYTES) return;
        if (buf.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV stream (signature)');
        const dataOffset = buf.readUInt32BE(5);
        if (buf.length < dataOffset + PREV_SIZE_BYTES) return;
        this.header = { version: buf[3]!, hasAudio: (buf[4]! & 4) !== 0, hasVideo: (buf[4]! & 1) !== 0 };
        if (buf.readUInt32BE(dataOffset) !== 0) throw new Error('PreviousTagSize0 is not 0');
        off = dataOffset + PREV_SIZE_BYTES;
        this.emit('header', this.header);
      }
      while (buf.length - off >= TAG_HEADER_BYTES) {
        const size = buf.readUIntBE(off + 1, 3);
        const total = TAG_HEADER_BYTES + size + PREV_SIZE_BYTES;
        if (buf.length - off < total) break;
        const prev = buf.readUInt32BE(off + TAG_HEADER_BYTES + size);
        if (prev !== TAG_HEADER_BYTES + size)
          throw new Error(`bad PreviousTagSize ${prev} for tag size ${size}`);
        this.onTag(buf, off, size);
        off += total;
      }
    } catch (err) {
      this.failed = err as Error;
      // an 'error' without listeners would throw into the data source; `failed` records it either way
      if (this.listenerCount('error') > 0) this.emit('error', this.failed);
      return;
    }
    this.pending = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
  }

  private onTag(buf: Buffer, off: number, size: number): void {
    const type = buf[off]! & 0x1f;
    const timestamp = ((buf[off + 7]! << 24) | buf.readUIntBE(off + 4, 3)) >>> 0;
    const d = off + TAG_HEADER_BYTES;
    const tag: FlvTag = { type, timestamp, size, receivedAt: performance.now() };
    if (type === FLV_TAG_VIDEO && size > 0) {
      tag.frameType = buf[d]! >> 4;
      tag.codecId = buf[d]! & 0x0f;
      if (tag.codecId === FLV_CODEC_H264 && size > 1) tag.avcPacketType = buf[d + 1];
    } else if (type === FLV_TAG_AUDIO && size > 0) {
      tag.soundFormat = buf[d]! >> 4;
      if (tag.soundFormat === FLV_SOUND_AAC && size > 1) tag.aacPacketType = buf[d + 1];
    }
    // copy: the pending buffer may be reused as the next chunk's prefix
    if (this.opts.keepData) tag.data = Buffer.from(buf.subarray(d, d + size));
    if (this.opts.keepTags !== false) this.tags.push(tag);
    this.emit('tag', tag);
  }
}

/** Feed a Readable (an HTTP-FLV response) into a new reader. */
export function readFlvStream(
  stream: Readable,
  opts?: { keepTags?: boolean; keepData?: boolean },
): FlvReader {
  const reader = new FlvReader(opts);
  stream.on('data', (chunk: Buffer) => reader.push(chunk));
  return reader;
}

/** Feed a ws client (WS-FLV: binary messages in any chunking) into a new reader. */
export function readFlvWebSocket(
  ws: WebSocket,
  opts?: { keepTags?: boolean; keepData?: boolean },
): FlvReader {
  const reader = new FlvReader(opts);
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) reader.push(data);
  });
  return reader;
}

/** Resolves with the first tag matching `pred` (already received or future); rejects after timeoutMs. */
export function waitForTag(
  reader: FlvReader,
  pred: (t: FlvTag) => boolean,
  timeoutMs: number,
): Promise<FlvTag> {
  const seen = reader.tags.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reader.off('tag', onTag);
      reject(new Error(`no matching FLV tag within ${timeoutMs} ms (${reader.tags.length} tags seen)`));
    }, timeoutMs);
    const onTag = (t: FlvTag) => {
      if (!pred(t)) return;
      clearTimeout(timer);
      reader.off('tag', onTag);
      resolve(t);
    };
    reader.on('tag', onTag);
  });
}

export const isAvcKeyframe = (t: FlvTag): boolean =>
  t.type === FLV_TAG_VIDEO && t.codecId === FLV_CODEC_H264 && t.frameType === 1 && t.avcPacketType === 1;
export const isAvcFrame = (t: FlvTag): boolean =>
  t.type === FLV_TAG_VIDEO && t.codecId === FLV_CODEC_H264 && t.avcPacketType === 1;
export const isAacFrame = (t: FlvTag): boolean =>
  t.type === FLV_TAG_AUDIO && t.soundFormat === FLV_SOUND_AAC && t.aacPacketType === 1;
