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
  const send = (item: T) => {
    busy = true;
    writer.write(item).then(
      () => {
        busy = false;
        const next = waiting;
        waiting = null;
        if (next) send(next);
      },
      () => item.close(),
    );
  };
  return {
    track,
    write(item) {
      if (closed) {
        item.close();
        return false;
      }
      if (kind === 'audio' || !busy) {
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
