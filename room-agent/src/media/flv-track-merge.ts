import type AVPacket from 'node-media-server/src/core/avpacket.js';
import Flv from 'node-media-server/src/protocol/flv.js';
import { FlvFileStarts } from './flv-file-starts.js';
import { mergeMetadataBodies } from './flv-metadata.js';

/** NMS's packet flag of a script (metadata) tag */
const METADATA_FLAGS = 5;

/** Which of the unit's two FLV files a chunk belongs to: stdout (picture) or fd 3 (sound). */
export type FlvTrackPipe = 'video' | 'audio';

/**
 * The room's encoders write its picture and its sound as two FLV files (one ffmpeg in x11grab mode;
 * boxroom-capture and the sound's ffmpeg in damage mode), so that neither waits for the other
 * (encoder-argv.ts); viewers, the recorder and relays get one FLV. This turns
 * both byte streams into the packets of that one stream, for NMS's BroadcastServer, which then
 * builds it: one header with both flags, the metadata, both sequence headers, the GOP cache.
 *
 * - Each pipe has its own NMS FLV parser, so a tag split across reads waits in its own parser
 *   and never blocks the other pipe's tags. Packets leave in the order their tags complete; each
 *   track's timestamps are as its encoder wrote them (monotonic per track, one timeline for both).
 * - Sequence headers need nothing: NMS keeps the AAC and the AVC one apart and sends both first to
 *   every viewer that joins.
 * - Metadata: each file has its own onMetaData (the picture's fields, or the sound's). Once both
 *   have come, the stream's metadata is one tag with both; until then (the sound starts later, or
 *   a single file carries both tracks) a file's own metadata passes as it is.
 *
 * - The sound's pipe may carry one file after another (the sound's encoder sleeps while nobody
 *   watches and a new one writes a new file when it wakes): each new file gets a new parser and its
 *   own metadata, sequence header and timestamps, which go on from the wall clock as before.
 *
 * Hot path: media tags go from the parser to the callback untouched (the parser's one copy, as for
 * any NMS publisher); only metadata, once per start of an encoder, is copied and rebuilt. The picture's
 * chunks go to its parser as they are; the sound's (about 50 small tags a second) are also walked
 * tag by tag for a new file's header.
 */
export class FlvTrackMerge {
  private readonly parsers = { video: this.parser('video'), audio: this.parser('audio') };
  private readonly metadata: Record<FlvTrackPipe, Buffer | null> = { video: null, audio: null };
  private readonly soundFiles = new FlvFileStarts();

  constructor(private readonly onPacket: (packet: AVPacket) => void) {}

  /** Parses one chunk of a pipe; @returns an error message when its bytes are not FLV, else null. */
  push(pipe: FlvTrackPipe, chunk: Buffer): string | null {
    if (pipe === 'video') return this.parsers.video.parserData(chunk);
    for (let from = 0; ;) {
      const at = this.soundFiles.next(chunk, from);
      const part = at < 0 ? (from === 0 ? chunk : chunk.subarray(from)) : chunk.subarray(from, at);
      if (part.length > 0) {
        const err = this.parsers.audio.parserData(part);
        if (err !== null) return err;
      }
      if (at < 0) return null;
      // a new sound file: its header would be garbage to the parser of the last one
      this.parsers.audio = this.parser('audio');
      from = at;
    }
  }

  private parser(pipe: FlvTrackPipe): Flv {
    const parser = new Flv();
    parser.onPacketCallback = (p) => this.forward(pipe, p);
    return parser;
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
