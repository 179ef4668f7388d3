import type { TagFrames } from './ws-frame.js';

/**
 * One viewer's connection as the fan-out sees it. Implementations hand the caller's Buffer to the
 * transport as is (no copy): the same tag Buffer goes to every viewer.
 */
export interface ViewerSink {
  readonly kind: 'http' | 'ws';
  /**
   * `frames`, given for live tags: the same tag already framed for the transport, built once for all
   * viewers; a sink that can write it as is does (join buffers come without it)
   */
  write(buf: Buffer, frames?: TagFrames): void;
  /**
   * Hold writes until uncork(): the fan-out corks a viewer at its first tag of an event-loop turn
   * and uncorks it once the turn's tags are written, so tags that arrived together leave in one
   * system call. Whether it corked: a sink without it, or that cannot, writes each tag at once.
   */
  cork?(): boolean;
  uncork?(): void;
  /** bytes accepted by write() that the kernel has not taken yet: what a slow reader costs us */
  backlog(): number;
  /**
   * How far behind the stream the reader is (ms), where the transport can tell (WS: by pings), beyond
   * the link's own round trip; may send what it needs to find out. Without it, only the backlog counts.
   */
  lagMs?(): number;
  /** the viewer fell too far behind: end it with its protocol's "too slow" signal, stop buffering */
  dropSlow(): void;
  /** an end initiated by the server: agent stopping (default), or the room failed (4504, with why) */
  end(code?: number, reason?: string): void;
  /** called once, when the connection is gone for whatever reason */
  onClose(fn: () => void): void;
}
