import type MpegtsNs from 'mpegts.js';

/** A prefetched stream no player has taken after this long is cancelled (it would download for nothing). */
export const PREFETCH_UNCLAIMED_MS = 5000;

export interface PrefetchedStream {
  response: Promise<Response>;
  abort(): void;
}

type LoaderErrorValue = MpegtsNs.LoaderErrors[keyof MpegtsNs.LoaderErrors];

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The room page asks for the stream as soon as it holds a token for a ready room, before the player
 * exists: rendering the room and opening Media Source take 50-150 ms on a busy machine, and the
 * stream's head and cached GOP arrive meanwhile. The player then reads that response (see
 * `prefetchedLoader`) instead of asking again. Keyed by the exact URL, so a response is only ever
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

/** A mpegts.js loader class over one prefetched response (it can be opened once). */
export function prefetchedLoader(
  Mpegts: typeof MpegtsNs,
  taken: PrefetchedStream,
): MpegtsNs.CustomLoaderConstructor {
  const { LoaderStatus, LoaderErrors } = Mpegts;
  return class PrefetchedLoader extends Mpegts.BaseLoader {
    private aborted = false;
    private received = 0;

    constructor() {
      super('prefetched-fetch-loader');
      this._needStash = true;
    }

    override destroy(): void {
      if (this.isWorking()) this.abort();
      super.destroy();
    }

    override open(_source: MpegtsNs.MediaSegment, range: MpegtsNs.Range): void {
      this._status = LoaderStatus.kConnecting;
      taken.response
        .then((res) => {
          if (this.aborted) {
            void res.body?.cancel();
            return;
          }
          if (!res.ok || !res.body) {
            this._status = LoaderStatus.kError;
            this.fail(LoaderErrors.HTTP_STATUS_CODE_INVALID, { code: res.status, msg: res.statusText });
            return;
          }
          return this.pump(res.body.getReader(), range.from);
        })
        .catch((err: unknown) => {
          if (this.aborted) return;
          this._status = LoaderStatus.kError;
          this.fail(LoaderErrors.EXCEPTION, { code: -1, msg: (err as Error).message });
        });
    }

    override abort(): void {
      this.aborted = true;
      taken.abort();
    }

    /**
     * mpegts.js's typings give `onError` the type of the whole LoaderErrors table rather than one of
     * its values (the runtime passes the value, a string): one cast here, not at every call.
     */
    private fail(type: LoaderErrorValue, info: MpegtsNs.LoaderErrorMessage): void {
      this.onError?.(type as unknown as MpegtsNs.LoaderErrors, info);
    }

    private async pump(reader: ReadableStreamDefaultReader<Uint8Array>, from: number): Promise<void> {
      for (;;) {
        const { done, value } = await reader.read();
        if (this.aborted) {
          this._status = LoaderStatus.kComplete;
          await reader.cancel().catch(() => {});
          return;
        }
        if (done) {
          this._status = LoaderStatus.kComplete;
          this.onComplete?.(from, from + this.received - 1);
          return;
        }
        this._status = LoaderStatus.kBuffering;
        const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
        const chunk = whole
          ? value.buffer
          : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
        const byteStart = from + this.received;
        this.received += value.byteLength;
        this.onDataArrival?.(chunk as ArrayBuffer, byteStart, this.received);
      }
    }
  };
}
