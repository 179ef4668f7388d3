import type MpegtsNs from 'mpegts.js';
import { prefetchedLoader, type PrefetchedStream } from '../mpegts/prefetched-loader.js';

export type { PrefetchedStream };

/** A prefetched stream no player has taken after this long is cancelled (it would download for nothing). */
export const PREFETCH_UNCLAIMED_MS = 5000;

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The room page asks for the stream as soon as it holds a token for a ready room, before the player
 * exists: rendering the room and opening Media Source take 50-150 ms on a busy machine, and the
 * stream's head and cached GOP arrive meanwhile. The player then reads that response (see
 * mpegts/prefetched-loader.ts) instead of asking again. Keyed by the exact URL, so a response is only ever
 * read by a player asking for the same token and transport.
 */
export class StreamPrefetch {
  private readonly pending = new Map<
    string,
    { response: Promise<Response>; controller: AbortController; timer: ReturnType<typeof setTimeout> }
  >();

  constructor(
    private readonly fetchFn: Fetch = (url, init) => fetch(url, init),
    private readonly unclaimedMs = PREFETCH_UNCLAIMED_MS,
  ) {}

  start(url: string): void {
    if (this.pending.has(url)) return;
    const controller = new AbortController();
    const response = this.fetchFn(url, { signal: controller.signal });
    // a failure is the taker's to report (its player retries); until taken it is not unhandled
    response.catch(() => {});
    const timer = setTimeout(() => {
      this.pending.delete(url);
      controller.abort();
    }, this.unclaimedMs);
    this.pending.set(url, { response, controller, timer });
  }

  /** The response started for `url`, once; null when there is none (the player fetches itself). */
  take(url: string): PrefetchedStream | null {
    const p = this.pending.get(url);
    if (!p) return null;
    this.pending.delete(url);
    clearTimeout(p.timer);
    return { response: p.response, abort: () => p.controller.abort() };
  }
}

/** The page's one prefetch: the room page starts it, the player controller takes it. */
export const streamPrefetch = new StreamPrefetch();

/**
 * mpegts.js player config for `url`: when a prefetched response is waiting, a loader that reads it
 * (what mpegts.js's own fetch loader does with its response), at once rather than after Media Source
 * opens (its data is already here: demuxing it overlaps the wait); otherwise nothing, and mpegts.js
 * fetches as usual.
 */
export function prefetchedLoaderConfig(
  Mpegts: typeof MpegtsNs,
  url: string,
  prefetch = streamPrefetch,
): Pick<MpegtsNs.Config, 'customLoader' | 'deferLoadAfterSourceOpen'> {
  const taken = prefetch.take(url);
  return taken ? { customLoader: prefetchedLoader(Mpegts, taken), deferLoadAfterSourceOpen: false } : {};
}
