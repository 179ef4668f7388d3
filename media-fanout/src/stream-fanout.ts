import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { FanoutLogger } from './fanout-logger.js';
import { TagKind, flvTagKind } from './flv-tag-kind.js';
import type { FlvTagSource } from './flv-tag-source.js';
import { HttpViewerSink } from './http-viewer-sink.js';
import type { ViewerSink } from './viewer-sink.js';
import { TagFrames } from './ws-frame.js';
import { WsViewerSink } from './ws-viewer-sink.js';

/** Unsent bytes that mark a viewer as behind when the next video frame comes: ~0.7 s at 3 Mbit/s. */
export const SKIP_BACKLOG_BYTES = 256 * 1024;
/** A skipping viewer takes up again at a keyframe once what it was sent is down to this. */
export const RESUME_BACKLOG_BYTES = 16 * 1024;
/** A viewer still skipping this long has stopped reading (or its link carries next to nothing): dropped. */
export const MAX_SKIPPING_MS = 10_000;
/**
 * A viewer this far behind the stream (ms beyond its link's round trip, where its transport can tell:
 * WsViewerSink.lagMs) is behind whatever the backlog here says: the buffers past this process (the
 * kernel's, a proxy's) hold seconds of a desktop stream before 256 KiB wait here.
 */
export const SKIP_LAG_MS = 1_000;
/** A skipping viewer takes up again at a keyframe once it is no further behind than this, too. */
export const RESUME_LAG_MS = 250;

export interface StreamFanoutOptions {
  /** a viewer whose unsent bytes exceed this is dropped (the agent's BOXROOM_VIEWER_MAX_BACKLOG_BYTES) */
  maxBacklogBytes: number;
  /** default SKIP_BACKLOG_BYTES; kept below maxBacklogBytes */
  skipBacklogBytes?: number;
  /** default RESUME_BACKLOG_BYTES */
  resumeBacklogBytes?: number;
  /** default MAX_SKIPPING_MS */
  maxSkippingMs?: number;
  /** default SKIP_LAG_MS */
  skipLagMs?: number;
  /** default RESUME_LAG_MS; kept at or below skipLagMs */
  resumeLagMs?: number;
  now?: () => number;
  logger: FanoutLogger;
  /** sees every live tag before the viewers do (the room's stream metrics) */
  meter?: { tag(tag: Buffer): void };
}

export interface ViewerHandle {
  readonly id: number;
  /** end this viewer from the server side (a normal close); idempotent */
  close(): void;
}

type FanoutEvents = { viewers: [count: number] };

interface Viewer {
  readonly id: number;
  readonly sink: ViewerSink;
  readonly since: number;
  /** behind: video frames are left out until a keyframe finds its backlog drained */
  skipping: boolean;
  /** when it started skipping (ms) */
  skippingSince: number;
  /** the turn of the event loop it was last corked in (StreamFanout.turn) */
  corkedTurn: number;
  /** bytes written to it since it was corked: not offered to its kernel yet, so not its backlog */
  corkedBytes: number;
}

/**
 * Viewer side of a live stream: the room agent's GET /stream.flv, WS /stream and WS /relay, and a
 * dashboard relay's viewers of one upstream. One listener on the live stream writes each tag
 * Buffer, unchanged, to every viewer; a joining viewer first gets the join buffers (header, metadata,
 * sequence headers, GOP cache) so its first keyframe arrives at once. Viewers are attached to this
 * object, not to a publisher, so they keep playing across a publisher restart.
 *
 * NMS has no outbound backpressure and neither would a plain loop. A viewer whose link cannot carry
 * the stream skips ahead rather than falling further behind: when a video frame comes while more than
 * skipBacklogBytes of what it was sent is still unsent, or the reader is more than skipLagMs behind
 * (WS: by pings, through every buffer on the way), it goes without video frames (audio, metadata and
 * sequence headers still go) until a keyframe finds its backlog down to resumeBacklogBytes and its lag
 * to resumeLagMs, and
 * plays on from that keyframe: it sees fewer frames, never older ones. A viewer still skipping at a
 * keyframe maxSkippingMs after it started (a reader that stopped reading), or whose backlog passes
 * maxBacklogBytes even so, is dropped, so a viewer holds at most maxBacklogBytes of memory plus the
 * tags of the current turn of the event loop (held by its cork, so not yet counted: one upstream read).
 */
export class StreamFanout extends EventEmitter<FanoutEvents> {
  private readonly viewers = new Set<Viewer>();
  private readonly log: FanoutLogger;
  private nextId = 1;
  private closed = false;
  private dropped = 0;
  private skips = 0;
  private readonly skipBytes: number;
  private readonly resumeBytes: number;
  private readonly maxSkippingMs: number;
  private readonly skipLagMs: number;
  private readonly resumeLagMs: number;
  private readonly now: () => number;
  /** the live tag, framed once per transport for all viewers */
  private readonly frames = new TagFrames();
  /** sinks corked in this turn of the event loop, uncorked together at its end */
  private readonly corked: ViewerSink[] = [];
  /** counts turns of the event loop that had live tags */
  private turn = 1;
  /** how viewers are ended on close: null, the sinks' own "stream ended" */
  private endWith: { code: number; reason: string } | null = null;

  constructor(
    private readonly source: FlvTagSource,
    private readonly opts: StreamFanoutOptions,
  ) {
    super();
    this.log = opts.logger.child({ mod: 'stream-fanout' });
    this.skipBytes = Math.min(opts.skipBacklogBytes ?? SKIP_BACKLOG_BYTES, opts.maxBacklogBytes / 2);
    this.resumeBytes = Math.min(opts.resumeBacklogBytes ?? RESUME_BACKLOG_BYTES, this.skipBytes);
    this.maxSkippingMs = opts.maxSkippingMs ?? MAX_SKIPPING_MS;
    this.skipLagMs = opts.skipLagMs ?? SKIP_LAG_MS;
    this.resumeLagMs = Math.min(opts.resumeLagMs ?? RESUME_LAG_MS, this.skipLagMs);
    this.now = opts.now ?? Date.now;
    source.setTagListener(this.onTag);
  }

  /** Serve an HTTP-FLV response (headers are written if the route has not). */
  attachHttp(res: ServerResponse): ViewerHandle {
    return this.attach(new HttpViewerSink(res));
  }

  /** Serve an open WebSocket as WS-FLV. */
  attachWs(ws: WebSocket): ViewerHandle {
    return this.attach(new WsViewerSink(ws));
  }

  /** For tests and other transports. */
  attach(sink: ViewerSink): ViewerHandle {
    // joining without a keyframe to start from: it waits for one, as a viewer that fell behind does
    const waits = this.source.joinStartsAtKeyframe?.() === false;
    const viewer: Viewer = {
      id: this.nextId++,
      sink,
      since: Date.now(),
      skipping: waits,
      skippingSince: waits ? this.now() : 0,
      corkedTurn: 0,
      corkedBytes: 0,
    };
    const handle: ViewerHandle = { id: viewer.id, close: () => this.remove(viewer, 'closed') };
    if (this.closed) {
      sink.end(this.endWith?.code, this.endWith?.reason);
      return handle;
    }
    this.viewers.add(viewer);
    sink.onClose(() => this.remove(viewer, 'disconnected'));
    this.source.forEachJoinBuffer((buf) => sink.write(buf));
    this.log.debug({ viewer: viewer.id, kind: sink.kind, viewers: this.viewers.size }, 'viewer attached');
    this.emit('viewers', this.viewers.size);
    // No backlog check here: an HTTP response counts everything written in this tick as unsent (Node
    // corks it until the next tick), and the join burst is bounded by the GOP anyway. The next live
    // tag checks it. maxBacklogBytes must exceed the largest GOP, or no viewer could ever join.
    return handle;
  }

  viewerCount(): number {
    return this.viewers.size;
  }

  /** Viewers dropped for falling behind, since the start. */
  droppedCount(): number {
    return this.dropped;
  }

  /** Times a viewer that fell behind started skipping video frames, since the start. */
  skipCount(): number {
    return this.skips;
  }

  /** Ends every viewer and detaches from the stream (agent stopping; the room failed: 4504 and why). */
  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.source.setTagListener(null);
    this.endWith = code === undefined ? null : { code, reason: reason ?? '' };
    for (const v of this.viewers) this.remove(v, 'closed');
  }

  // The hot path: once per tag, no allocation per viewer. Each tag is framed once for all viewers
  // (TagFrames), and a viewer is corked at its first tag of a turn of the event loop and uncorked at
  // the turn's end: tags that arrived together (an upstream read holding several, a busy moment)
  // leave in one system call per viewer instead of one per tag, and nothing waits longer than the
  // turn. What the kernel has not been offered yet is not the viewer's backlog.
  private readonly onTag = (tag: Buffer): void => {
    const max = this.opts.maxBacklogBytes;
    this.opts.meter?.tag(tag);
    const kind = flvTagKind(tag);
    this.frames.reset(tag);
    if (this.corked.length === 0) queueMicrotask(this.uncorkAll);
    for (const v of this.viewers) {
      // corked first: a ping sends() may write (WsViewerSink.lagMs) leaves with the turn's tags
      if (v.corkedTurn !== this.turn && v.sink.cork?.()) {
        v.corkedTurn = this.turn;
        v.corkedBytes = 0;
        this.corked.push(v.sink);
      }
      if (kind !== TagKind.Always && !this.sends(v, kind)) {
        if (kind === TagKind.KeyFrame && this.now() - v.skippingSince > this.maxSkippingMs)
          this.remove(v, 'slow');
        continue;
      }
      v.sink.write(tag, this.frames);
      if (v.corkedTurn === this.turn) v.corkedBytes += tag.length;
      if (this.backlog(v) > max) this.remove(v, 'slow');
    }
  };

  private readonly uncorkAll = (): void => {
    this.turn += 1;
    // emptied whatever a sink does: a list left full would never be uncorked again (no microtask is
    // queued while it holds sinks), and every WS viewer would stall
    try {
      for (const sink of this.corked) sink.uncork?.();
    } finally {
      this.corked.length = 0;
    }
  };

  /** Bytes written to a viewer that its kernel has been offered and not taken. */
  private backlog(v: Viewer): number {
    const held = v.corkedTurn === this.turn ? v.corkedBytes : 0;
    return Math.max(0, v.sink.backlog() - held);
  }

  /**
   * Whether a viewer gets this video frame: its backlog and lag are looked at before the frame is
   * added (the lag only where the sink can tell; asking may send it a ping).
   */
  private sends(v: Viewer, kind: TagKind): boolean {
    const backlog = this.backlog(v);
    const lagMs = v.sink.lagMs?.() ?? 0;
    if (v.skipping) {
      if (kind !== TagKind.KeyFrame || backlog > this.resumeBytes || lagMs > this.resumeLagMs) return false;
      v.skipping = false;
      this.log.debug({ viewer: v.id, backlog, lagMs }, 'viewer caught up, playing on from a keyframe');
      return true;
    }
    if (backlog <= this.skipBytes && lagMs <= this.skipLagMs) return true;
    v.skipping = true;
    v.skippingSince = this.now();
    this.skips += 1;
    this.log.info(
      { viewer: v.id, kind: v.sink.kind, backlog, lagMs },
      'viewer behind, skipping to a keyframe',
    );
    return false;
  }

  private remove(viewer: Viewer, why: 'slow' | 'closed' | 'disconnected'): void {
    if (!this.viewers.delete(viewer)) return;
    if (why === 'slow') {
      this.dropped += 1;
      this.log.info(
        {
          viewer: viewer.id,
          kind: viewer.sink.kind,
          backlog: viewer.sink.backlog(),
          ms: Date.now() - viewer.since,
        },
        'viewer too slow, dropped',
      );
      viewer.sink.dropSlow();
    } else {
      if (why === 'closed') viewer.sink.end(this.endWith?.code, this.endWith?.reason);
      this.log.debug({ viewer: viewer.id, why }, 'viewer detached');
    }
    this.emit('viewers', this.viewers.size);
  }
}
