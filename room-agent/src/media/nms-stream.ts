import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import Context from 'node-media-server/src/core/context.js';
import BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
import BaseSession from 'node-media-server/src/session/base_session.js';
import type { FlvTagSource } from '@boxroom/media-fanout';
import type { Logger } from '../logger.js';
import { unwrapMetadataTag } from './flv-metadata.js';
import { FlvPipePublisher } from './flv-pipe-publisher.js';

const SCRIPT_TAG_TYPE = 18;

/**
 * NMS keeps a disconnected publisher's place for this long so the same client (address) can resume
 * with a continuous timeline. The publisher is our own ffmpeg, and every start of it has the same
 * address (FlvPipePublisher), so we make every restart a resume: attached viewers keep one monotonic
 * timeline instead of seeing timestamps jump back to 0 after a gap longer than NMS's 30 s default.
 * (The longest timer Node allows.)
 */
const PUBLISH_RESUME_MS = 2 ** 31 - 1;

type StreamEvents = { publish: []; unpublish: [] };

/**
 * One NMS stream path observed in process: the only code that touches NMS's broadcast internals.
 *
 * Live tags: an in-process subscriber session (ip "" marks it internal to NMS: no play auth, no
 * events) receives the exact Buffers NMS builds once per packet and forwards them to one listener,
 * so there is no loopback hop and no copy. Because we subscribe for our whole lifetime, NMS never
 * drops the BroadcastServer, and a restarted publisher feeds the same object.
 *
 * Publish state: `donePublish` only fires when NMS's resume window ends, so a publisher's end is taken
 * from the session itself (the pipe publisher's end; a network publisher's socket `close`, the event
 * its session reacts to) and reported at once.
 */
export class NmsStream extends EventEmitter<StreamEvents> implements FlvTagSource {
  private readonly broadcast: BroadcastServer;
  private readonly tap = new BaseSession();
  private listener: ((tag: Buffer) => void) | null = null;
  private publisher: BaseSession | null = null;
  private closed = false;
  /** the viewer-ready copy of the broadcast's metadata tag, redone only when the publisher's changes */
  private metadataIn: Buffer | null = null;
  private metadataOut: Buffer | null = null;

  constructor(
    readonly streamPath: string,
    private readonly log: Logger,
  ) {
    super();
    const existing = Context.broadcasts.get(streamPath);
    this.broadcast = existing ?? new BroadcastServer(streamPath);
    Context.broadcasts.set(streamPath, this.broadcast);
    this.broadcast.publishGraceMs = PUBLISH_RESUME_MS;

    this.tap.protocol = 'flv';
    this.tap.ip = '';
    this.tap.streamPath = streamPath;
    this.tap.close = () => {};
    // postPlay replays the join buffers into sendBuffer synchronously: drop those, the fan-out asks
    // for them per viewer.
    this.tap.sendBuffer = () => {};
    const err = this.broadcast.postPlay(this.tap);
    if (err !== null) throw new Error(`media stream tap refused: ${err}`);
    this.tap.sendBuffer = this.onTag;

    Context.eventEmitter.on('postPublish', this.onPostPublish);
    if (existing?.publisher && existing.getPublishStatus() === 'publishing') this.track(existing.publisher);
  }

  isPublishing(): boolean {
    return this.publisher !== null;
  }

  forEachJoinBuffer(fn: (buf: Buffer) => void): void {
    const b = this.broadcast;
    fn(b.flvHeader);
    if (b.flvMetaData) {
      if (this.metadataIn !== b.flvMetaData) {
        this.metadataIn = b.flvMetaData;
        this.metadataOut = unwrapMetadataTag(b.flvMetaData);
      }
      fn(this.metadataOut!);
    }
    if (b.flvAudioHeader) fn(b.flvAudioHeader);
    if (b.flvVideoHeader) fn(b.flvVideoHeader);
    if (b.flvGopCache) for (const tag of b.flvGopCache) fn(tag);
  }

  setTagListener(fn: ((tag: Buffer) => void) | null): void {
    this.listener = fn;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Context.eventEmitter.off('postPublish', this.onPostPublish);
    this.listener = null;
    this.broadcast.donePlay(this.tap);
    // End the (possibly endless) resume window now so the broadcast and its timer go away with us.
    this.broadcast._finishPublish();
    if (this.publisher) this.setPublisher(null);
  }

  private readonly onTag = (tag: Buffer): void => {
    this.listener?.(tag[0] === SCRIPT_TAG_TYPE ? unwrapMetadataTag(tag) : tag);
  };

  private readonly onPostPublish = (session: BaseSession): void => {
    if (session.streamPath !== this.streamPath) return;
    // NMS emits postPublish before its "already has a publisher" check: only a session that actually
    // became the publisher counts, which is known once the synchronous postPublish call returns.
    queueMicrotask(() => {
      if (!this.closed && this.broadcast.publisher === session) this.track(session);
    });
  };

  private track(session: BaseSession): void {
    const gone = (): void => {
      if (this.publisher === session) this.setPublisher(null);
    };
    if (session instanceof FlvPipePublisher) {
      if (!session.isPublishing()) return;
      this.setPublisher(session);
      session.onEnd(gone);
      return;
    }
    // a network publisher (NMS's HTTP-FLV POST, signed: diagnostics and tests only)
    const socket: Socket | undefined = session.socket ?? session.req?.socket;
    if (!socket || socket.destroyed) return;
    this.setPublisher(session);
    socket.once('close', gone);
  }

  private setPublisher(session: BaseSession | null): void {
    const was = this.publisher;
    this.publisher = session;
    if (was && session) this.log.debug('media publisher replaced');
    if (was && !session) {
      this.log.info({ streamPath: this.streamPath }, 'media publisher gone');
      this.emit('unpublish');
    }
    if (!was && session) {
      this.log.info({ streamPath: this.streamPath }, 'media publisher started');
      this.emit('publish');
    }
  }
}
