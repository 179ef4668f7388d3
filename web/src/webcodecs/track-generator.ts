/**
 * Chromium's MediaStreamTrackGenerator (mediacapture-transform, the window-scoped version Chromium
 * ships; the standard VideoTrackGenerator is for workers): a track fed VideoFrames or AudioData. Not in
 * TypeScript's DOM library.
 */
interface MediaStreamTrackGeneratorLike extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame | AudioData>;
}
type GeneratorConstructor = new (init: { kind: 'video' | 'audio' }) => MediaStreamTrackGeneratorLike;

const Generator = (globalThis as { MediaStreamTrackGenerator?: GeneratorConstructor })
  .MediaStreamTrackGenerator;

/** Sound waiting for the track, at most: ~170 ms of AAC frames (1,024 samples at 48 kHz). */
const MAX_AUDIO_QUEUED = 8;

export const hasTrackGenerator = (): boolean => Generator !== undefined;

/** A generated track and its writer; the writer closes what it is given, shown or not. */
export interface TrackWriter<T extends VideoFrame | AudioData> {
  readonly track: MediaStreamTrack;
  /**
   * Hands `item` to the track, which closes it once delivered. Video: while the track is still taking
   * the one before, the newest waits in its place and an older waiting one is closed unshown (false).
   * The screen is captured on change, so the newest frame may be the last for 500 ms: it is never the
   * one left out.
   */
  write(item: T): boolean;
  close(): void;
}

export function trackGenerator<K extends 'video' | 'audio'>(
  kind: K,
): TrackWriter<K extends 'video' ? VideoFrame : AudioData> {
  type T = K extends 'video' ? VideoFrame : AudioData;
  if (!Generator) throw new Error('no MediaStreamTrackGenerator');
  const track = new Generator({ kind });
  const writer = track.writable.getWriter();
  let closed = false;
  let busy = false;
  let waiting: T | null = null;
  /** writes not yet settled (audio is not paced like video: see MAX_AUDIO_QUEUED) */
  let queued = 0;
  const send = (item: T) => {
    busy = true;
    queued += 1;
    writer.write(item).then(
      () => {
        queued -= 1;
        busy = false;
        const next = waiting;
        waiting = null;
        if (next) send(next);
      },
      () => {
        queued -= 1;
        item.close();
      },
    );
  };
  return {
    track,
    write(item) {
      if (closed) {
        item.close();
        return false;
      }
      if (kind === 'audio') {
        // a track that takes sound slower than it comes would add latency without bound: drop instead
        if (queued >= MAX_AUDIO_QUEUED) {
          item.close();
          return false;
        }
        send(item);
        return true;
      }
      if (!busy) {
        send(item);
        return true;
      }
      const dropped = waiting;
      waiting = item;
      dropped?.close();
      return dropped === null;
    },
    close() {
      if (closed) return;
      closed = true;
      waiting?.close();
      waiting = null;
      writer.close().catch(() => {});
      track.stop();
    },
  };
}
