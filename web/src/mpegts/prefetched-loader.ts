import type MpegtsNs from 'mpegts.js';

/** A response started before the player existed (core/stream-prefetch.ts), and how to cancel it. */
export interface PrefetchedStream {
  response: Promise<Response>;
  abort(): void;
}

type LoaderErrorValue = MpegtsNs.LoaderErrors[keyof MpegtsNs.LoaderErrors];

/**
 * A mpegts.js loader class over one prefetched response (it can be opened once). It subclasses
 * mpegts.js's BaseLoader and sets its protected `_status` / `_needStash` as the library's own fetch
 * loader does (mpegts-internals.test.ts checks them against the installed version).
 */
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
