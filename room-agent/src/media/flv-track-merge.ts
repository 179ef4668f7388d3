import type AVPacket from 'node-media-server/src/core/avpacket.js';
import Flv from 'node-media-server/src/protocol/flv.js';
import { mergeMetadataBodies } from './flv-metadata.js';

/** NMS's packet flag of a script (metadata) tag */
const METADATA_FLAGS = 5;

/** Which of ffmpeg's two FLV files a chunk belongs to: stdout (picture) or fd 3 (sound). */
export type FlvTrackPipe = 'video' | 'audio';

/**
 * The room's encoders write its picture and its sound as two FLV files (one ffmpeg in x11grab mode,
 * two in damage mode), so that neither waits for the other (encoder-argv.ts); viewers, the recorder and relays get one FLV. This turns
 * both byte streams into the packets of that one stream, for NMS's BroadcastServer, which then
 * builds it: one header with both flags, the metadata, both sequence headers, the GOP cache.
 *
 * - Each pipe has its own NMS FLV parser, so a tag split across reads waits in its own parser
 *   and never blocks the other pipe's tags. Packets leave in the order their tags complete; each
 *   track's timestamps are as ffmpeg wrote them (monotonic per track, one timeline for both).
 * - Sequence headers need nothing: NMS keeps the AAC and the AVC one apart and sends both first to
 *   every viewer that joins.
 * - Metadata: each file has its own onMetaData (the picture's fields, or the sound's). Once both
 *   have come, the stream's metadata is one tag with both; until then (the sound starts later, or
 *   a single file carries both tracks) a file's own metadata passes as it is.
 *
 * Hot path: media tags go from the parser to the callback untouched (the parser's one copy, as for
 * any NMS publisher); only metadata, once per start of ffmpeg, is copied and rebuilt.
 */
export class FlvTrackMerge {
  private readonly parsers = { video: new Flv(), audio: new Flv() };
  private readonly metadata: Record<FlvTrackPipe, Buffer | null> = { video: null, audio: null };

  constructor(private readonly onPacket: (packet: AVPacket) => void) {
    this.parsers.video.onPacketCallback = (p) => this.forward('video', p);
    this.parsers.audio.onPacketCallback = (p) => this.forward('audio', p);
  }

  /** Parses one chunk of a pipe; @returns an error message when its bytes are not FLV, else null. */
  push(pipe: FlvTrackPipe, chunk: Buffer): string | null {
    return this.parsers[pipe].parserData(chunk);
  }

  private forward(pipe: FlvTrackPipe, packet: AVPacket): void {
    if (packet.flags !== METADATA_FLAGS) {
      this.onPacket(packet);
      return;
    }
    // the parser reuses packet.data for its next tag: keep a copy
    const own = Buffer.from(packet.data.subarray(0, packet.size));
    this.metadata[pipe] = own;
    const { video, audio } = this.metadata;
    const merged = video && audio ? mergeMetadataBodies(video, audio) : null;
    packet.data = merged ?? own;
    packet.size = packet.data.length;
    this.onPacket(packet);
  }
}
