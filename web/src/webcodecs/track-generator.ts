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

export const hasTrackGenerator = (): boolean => Generator !== undefined;

/** A generated track and its writer; the writer closes what it is given, written or not. */
export interface TrackWriter<T extends VideoFrame | AudioData> {
  readonly track: MediaStreamTrack;
  /** hands `item` to the track (which closes it once shown), or closes it when the track is busy: false then */
  write(item: T): boolean;
  close(): void;
}

export function trackGenerator<K extends 'video' | 'audio'>(
  kind: K,
): TrackWriter<K extends 'video' ? VideoFrame : AudioData> {
  if (!Generator) throw new Error('no MediaStreamTrackGenerator');
  const track = new Generator({ kind });
  const writer = track.writable.getWriter();
  let closed = false;
  return {
    track,
    write(item) {
      // the sink takes frames as they come; a full queue means it is behind: the newest frame waits
      // for the next one rather than piling up (audio is never behind the way video can be)
      if (closed || (kind === 'video' && (writer.desiredSize ?? 1) <= 0)) {
        item.close();
        return false;
      }
      writer.write(item).catch(() => item.close());
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      writer.close().catch(() => {});
      track.stop();
    },
  };
}
