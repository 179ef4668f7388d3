import { isAacSequenceHeader } from '../webcodecs/flv-codec-packets.js';
import type { SoundSink } from './sound-player.js';

/**
 * Passes the FLV audio tag bodies of the stream being played to a sound sink, and keeps the stream's
 * last AAC sequence header for a sink attached later: it comes once, when the stream starts, and a
 * participant unmutes whenever they like. Holds no other audio (nothing piles up while muted).
 */
export class SoundFeed {
  private config: { body: Uint8Array; timestampMs: number } | null = null;
  private sink: SoundSink | null = null;

  /** One audio tag's body (a view valid for the call only) and its timestamp. */
  readonly tag = (body: Uint8Array, timestampMs: number): void => {
    if (isAacSequenceHeader(body)) this.config = { body: body.slice(), timestampMs };
    this.sink?.push(body, timestampMs);
  };

  attach(sink: SoundSink | null): void {
    this.sink = sink;
    if (sink && this.config) sink.push(this.config.body, this.config.timestampMs);
  }

  /** A new connection: its own sequence header will come. */
  reset(): void {
    this.config = null;
  }
}
