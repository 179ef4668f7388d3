import { afterEach, describe, expect, it, vi } from 'vitest';
import type MpegtsNs from 'mpegts.js';
import { StreamPrefetch, prefetchedLoader, prefetchedLoaderConfig } from './stream-prefetch.js';

/** The parts of mpegts.js's loader module a custom loader uses (src/io/loader.js). */
const LoaderStatus = { kIdle: 0, kConnecting: 1, kBuffering: 2, kError: 3, kComplete: 4 };
const LoaderErrors = { EXCEPTION: 'Exception', HTTP_STATUS_CODE_INVALID: 'HttpStatusCodeInvalid' };
class BaseLoader {
  _status = LoaderStatus.kIdle;
  _needStash = false;
  onDataArrival: ((chunk: ArrayBuffer, byteStart: number, received: number) => void) | null = null;
  onError: ((type: string, info: { code: number; msg: string }) => void) | null = null;
  onComplete: ((from: number, to: number) => void) | null = null;
  constructor(readonly type: string) {}
  isWorking() {
    return this._status === LoaderStatus.kConnecting || this._status === LoaderStatus.kBuffering;
  }
  destroy() {
    this._status = LoaderStatus.kIdle;
  }
}
const Mpegts = { BaseLoader, LoaderStatus, LoaderErrors } as unknown as typeof MpegtsNs;

const URL_A = 'http://box.test/rooms/r/stream.flv?token=a';

function body(chunks: number[][]): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const x of chunks) c.enqueue(new Uint8Array(x));
        c.close();
      },
    }),
  );
}

function open(loader: MpegtsNs.CustomLoaderConstructor) {
  const l = new loader({} as MpegtsNs.SeekHandler, {} as MpegtsNs.Config) as unknown as BaseLoader & {
    open(s: unknown, r: { from: number; to: number }): void;
    abort(): void;
  };
  const seen: string[] = [];
  l.onDataArrival = (chunk, start, received) =>
    seen.push(`data ${[...new Uint8Array(chunk)].join(',')} @${start} (${received})`);
  l.onComplete = (from, to) => seen.push(`complete ${from}-${to}`);
  l.onError = (type, info) => seen.push(`error ${type} ${info.code}`);
  l.open({}, { from: 0, to: -1 });
  return { l, seen };
}

afterEach(() => vi.useRealTimers());

describe('stream prefetch', () => {
  it('hands the response started for a URL to the first taker only', async () => {
    const fetches: string[] = [];
    const p = new StreamPrefetch(async (url) => {
      fetches.push(url);
      return body([[1]]);
    });
    p.start(URL_A);
    p.start(URL_A);
    expect(fetches).toEqual([URL_A]);
    expect(p.take('http://box.test/rooms/r/stream.flv?token=b')).toBeNull();
    const taken = p.take(URL_A);
    expect((await taken!.response).ok).toBe(true);
    expect(p.take(URL_A)).toBeNull();
  });

  it('cancels a response nobody takes', () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const p = new StreamPrefetch(async (_url, init) => {
      signal = init.signal ?? undefined;
      return body([]);
    }, 1000);
    p.start(URL_A);
    vi.advanceTimersByTime(999);
    expect(signal?.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal?.aborted).toBe(true);
    expect(p.take(URL_A)).toBeNull();
  });

  it('config: a loader (opened at once) only when a response waits for that URL', () => {
    const p = new StreamPrefetch(async () => body([]));
    expect(prefetchedLoaderConfig(Mpegts, URL_A, p)).toEqual({});
    p.start(URL_A);
    const config = prefetchedLoaderConfig(Mpegts, URL_A, p);
    expect(config.customLoader).toBeTypeOf('function');
    expect(config.deferLoadAfterSourceOpen).toBe(false);
  });
});

describe('prefetched loader', () => {
  it('passes the chunks on with their offsets, then completes', async () => {
    const { l, seen } = open(
      prefetchedLoader(Mpegts, { response: Promise.resolve(body([[1, 2], [3]])), abort: () => {} }),
    );
    expect(l.isWorking()).toBe(true);
    await vi.waitFor(() => expect(seen).toContain('complete 0-2'));
    expect(seen).toEqual(['data 1,2 @0 (2)', 'data 3 @2 (3)', 'complete 0-2']);
  });

  it('reports an HTTP error and a failed request as errors (the player rebuilds)', async () => {
    const refused = open(
      prefetchedLoader(Mpegts, {
        response: Promise.resolve(new Response('no', { status: 401 })),
        abort: () => {},
      }),
    );
    const failed = open(
      prefetchedLoader(Mpegts, { response: Promise.reject(new Error('net')), abort: () => {} }),
    );
    await vi.waitFor(() => {
      expect(refused.seen).toEqual(['error HttpStatusCodeInvalid 401']);
      expect(failed.seen).toEqual(['error Exception -1']);
    });
  });

  it('abort cancels the request and reports nothing more', async () => {
    const abort = vi.fn();
    let release: (r: Response) => void = () => {};
    const { l, seen } = open(
      prefetchedLoader(Mpegts, { response: new Promise((r) => (release = r)), abort }),
    );
    l.abort();
    expect(abort).toHaveBeenCalled();
    release(body([[1]]));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([]);
  });
});
