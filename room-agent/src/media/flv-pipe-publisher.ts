import type { Readable } from 'node:stream';
import Context from 'node-media-server/src/core/context.js';
import BroadcastServer from 'node-media-server/src/server/broadcast_server.js';
import BaseSession from 'node-media-server/src/session/base_session.js';
import type { Logger } from '../logger.js';
import { FlvTrackMerge, type FlvTrackPipe } from './flv-track-merge.js';

/**
 * NMS resumes a publish (same timeline, same record) when the new publisher's address, its `ip`
 * without a trailing ":port", is the previous one's. Every start of the room's encoding unit is the same
 * publisher to us, so every pipe publisher has this one address.
 */
export const PIPE_PUBLISHER_ADDRESS = 'ffmpeg-stdout';

/**
 * The room's encoding unit, publishing its picture's FLV through its stdout and its sound's through
 * fd 3 (or one FLV with both on stdout alone): an in-process NMS publisher session that does what NMS's own
 * FlvSession does for an HTTP POST publisher, with the pipes in place of the request. The first byte
 * of either makes it the stream path's publisher (`postPublish`, which also checks the signed query
 * like any publisher's); FlvTrackMerge turns both pipes' bytes into the packets of one stream, handed
 * to the path's BroadcastServer (`broadcastMessage`: metadata, sequence headers, GOP cache,
 * subscribers); the end of either pipe is the end of the publish (`donePublish`, which opens NMS's
 * resume window): the unit's encoders end with it (a closed pipe, or boxroom-capture ending the other)
 * and the supervisor restarts the unit.
 *
 * Hot path: each chunk a pipe delivers goes to its parser as it is (no buffering, no timer: the
 * pipes are read as fast as the encoders write, so nothing waits here to push back); the parser copies a
 * tag's body once into its own buffer and the broadcast builds one FLV message per packet, as for
 * any NMS publisher.
 */
export class FlvPipePublisher extends BaseSession {
  private readonly merge = new FlvTrackMerge((packet) => this.broadcast?.broadcastMessage(packet));
  private readonly inputs: { pipe: FlvTrackPipe; stream: Readable; onData: (chunk: Buffer) => void }[];
  private broadcast: BroadcastServer | null = null;
  private ended = false;
  private readonly onEndCallbacks: (() => void)[] = [];

  constructor(
    streamPath: string,
    /** NMS's publish check reads `sign` here, as it would from a publish URL's query */
    streamQuery: Record<string, string>,
    /** the unit's stdout: the picture's FLV (or one FLV with both tracks) */
    video: Readable,
    private readonly log: Logger,
    /** the unit's fd 3: the sound's FLV */
    audio: Readable | null = null,
  ) {
    super();
    this.inputs = [
      { pipe: 'video' as const, stream: video },
      ...(audio ? [{ pipe: 'audio' as const, stream: audio }] : []),
    ].map((i) => ({ ...i, onData: (chunk: Buffer) => this.onData(i.pipe, chunk) }));
    this.protocol = 'flv';
    this.ip = `${PIPE_PUBLISHER_ADDRESS}:0`;
    this.streamPath = streamPath;
    [, this.streamApp = '', this.streamName = ''] = streamPath.split('/');
    this.streamQuery = streamQuery;
    this.isPublisher = true;
  }

  /** Starts reading; call once, right after the process is spawned. */
  run(): void {
    Context.sessions.set(this.id, this);
    for (const { pipe, stream, onData } of this.inputs) {
      stream.on('data', onData);
      stream.once('close', () => this.end());
      // EPIPE and the like: the pipe's 'close' follows and ends the publish
      stream.on('error', (err) => this.log.debug({ err, pipe }, 'publisher pipe error'));
    }
  }

  /** True once it is the stream path's publisher (its first byte has arrived and NMS took it). */
  isPublishing(): boolean {
    return this.broadcast !== null && !this.ended;
  }

  /** `fn` runs once when the publish ends (a pipe closed, a parse error, or end()); at once if it has. */
  onEnd(fn: () => void): void {
    if (this.ended) fn();
    else this.onEndCallbacks.push(fn);
  }

  /**
   * Ends the publish now, synchronously (NMS keeps the path for a resume), and stops reading: a
   * successor may call postPublish right after this returns.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const { stream, onData } of this.inputs) {
      stream.off('data', onData);
      stream.destroy();
    }
    this.endTime = Date.now();
    if (this.broadcast) this.broadcast.donePublish(this);
    Context.sessions.delete(this.id);
    for (const fn of this.onEndCallbacks.splice(0)) fn();
  }

  /** NMS's way to drop a session (e.g. a refused publish). */
  override close = (): void => this.end();

  private onData(pipe: FlvTrackPipe, chunk: Buffer): void {
    if (this.ended || (!this.broadcast && !this.publish())) return;
    this.inBytes += chunk.length;
    Context.networkStats.inBytes += chunk.length;
    const err = this.merge.push(pipe, chunk);
    if (err !== null) {
      // the stream cannot be resynchronised: end it; the unit then dies of a closed pipe and restarts
      this.log.warn(
        { err, pipe, streamPath: this.streamPath },
        "the encoders' output is not FLV; ending the publish",
      );
      this.end();
    }
  }

  /** The FlvSession publish path: the broadcast of the path (created if new), then postPublish. */
  private publish(): boolean {
    const broadcast = Context.broadcasts.get(this.streamPath) ?? new BroadcastServer(this.streamPath);
    Context.broadcasts.set(this.streamPath, broadcast);
    const err = broadcast.postPublish(this);
    if (err !== null) {
      this.log.warn({ err, streamPath: this.streamPath }, 'media server refused the publisher');
      this.end();
      return false;
    }
    this.broadcast = broadcast;
    return true;
  }
}
