/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser: each one is self-contained.
import type { Page } from 'playwright-core';

/** What the element did while it played with sound (events counted since recordAudioAppends). */
export interface PlaybackEvents {
  waiting: number;
  rateChanges: number;
  seeks: number;
  droppedFrames: number;
  /** MediaSources the page made meanwhile (1: the player was not rebuilt) */
  mediaSources: number;
}

/** One of the element's waiting / playing / ratechange / seeking / seeked events, when and where. */
export interface PlaybackEvent {
  type: string;
  /** Date.now() */
  at: number;
  /** currentTime then, s */
  currentTime: number;
  playbackRate: number;
  /** end of the buffered range holding currentTime, s (null: none) */
  bufferedEnd: number | null;
}

/**
 * Keeps a copy of every buffer the page appends to an audio SourceBuffer (the init segment and each
 * fragment, exactly as mpegts.js hands them to MSE), so the bench can read the audio timeline the
 * element plays; and counts the element's waiting, ratechange and seeking events. Call before the
 * player builds the audio track (before Unmute): the init segment comes first.
 */
export async function recordAudioAppends(page: Page): Promise<void> {
  await page.evaluate(() => {
    type Tagged = SourceBuffer & { __bxAudio?: boolean };
    const rec = {
      gens: [] as Uint8Array[][],
      events: { waiting: 0, rateChanges: 0, seeks: 0 },
      log: [] as Array<{
        type: string;
        at: number;
        currentTime: number;
        playbackRate: number;
        bufferedEnd: number | null;
      }>,
    };
    (window as unknown as { __bxAppends: typeof rec }).__bxAppends = rec;
    const add = MediaSource.prototype.addSourceBuffer;
    MediaSource.prototype.addSourceBuffer = function (this: MediaSource, mime: string) {
      const sb = add.call(this, mime) as Tagged;
      // a new MediaSource (the player rebuilt) starts a new timeline
      if (mime.startsWith('audio/')) {
        sb.__bxAudio = true;
        rec.gens.push([]);
      }
      return sb;
    };
    const append = SourceBuffer.prototype.appendBuffer;
    SourceBuffer.prototype.appendBuffer = function (this: Tagged, data: BufferSource) {
      if (this.__bxAudio) {
        const view =
          data instanceof ArrayBuffer
            ? new Uint8Array(data)
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        rec.gens.at(-1)?.push(view.slice());
      }
      return append.call(this, data);
    };
    const video = document
      .querySelector('br-room-page')!
      .shadowRoot!.querySelector('br-video-stage')!
      .shadowRoot!.querySelector('video')!;
    video.addEventListener('waiting', () => rec.events.waiting++);
    video.addEventListener('ratechange', () => rec.events.rateChanges++);
    video.addEventListener('seeking', () => rec.events.seeks++);
    const note = (e: Event) => {
      const b = video.buffered;
      let end: number | null = null;
      for (let i = 0; i < b.length; i++)
        if (b.start(i) <= video.currentTime + 0.001 && video.currentTime <= b.end(i)) end = b.end(i);
      rec.log.push({
        type: e.type,
        at: Date.now(),
        currentTime: video.currentTime,
        playbackRate: video.playbackRate,
        bufferedEnd: end,
      });
    };
    for (const type of ['waiting', 'playing', 'ratechange', 'seeking', 'seeked', 'stalled'])
      video.addEventListener(type, note);
  });
}

/** The element's events since recordAudioAppends (or the last call), oldest first. */
export async function takePlaybackLog(page: Page): Promise<PlaybackEvent[]> {
  return page.evaluate(() => {
    const rec = (window as unknown as { __bxAppends: { log: PlaybackEvent[] } }).__bxAppends;
    return rec.log.splice(0);
  });
}

/** The newest audio track's appends, concatenated: a fragmented MP4 that ffmpeg reads. */
export async function takeAudioAppends(page: Page): Promise<{ mp4: Buffer; events: PlaybackEvents }> {
  const r = await page.evaluate(() => {
    const rec = (
      window as unknown as {
        __bxAppends: { gens: Uint8Array[][]; events: Omit<PlaybackEvents, 'droppedFrames' | 'mediaSources'> };
      }
    ).__bxAppends;
    const parts = rec.gens.at(-1) ?? [];
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    let bin = '';
    for (let i = 0; i < all.length; i += 0x8000) bin += String.fromCharCode(...all.subarray(i, i + 0x8000));
    const video = document
      .querySelector('br-room-page')!
      .shadowRoot!.querySelector('br-video-stage')!
      .shadowRoot!.querySelector('video')!;
    return {
      b64: btoa(bin),
      events: {
        ...rec.events,
        droppedFrames: video.getVideoPlaybackQuality().droppedVideoFrames,
        mediaSources: rec.gens.length,
      },
    };
  });
  return { mp4: Buffer.from(r.b64, 'base64'), events: r.events };
}
