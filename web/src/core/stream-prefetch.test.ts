import { afterEach, describe, expect, it, vi } from 'vitest';
import type MpegtsNs from 'mpegts.js';
import * as loaderModule from 'mpegts.js/src/io/loader.js';
import { StreamPrefetch, prefetchedLoaderConfig } from './stream-prefetch.js';

const Mpegts = loaderModule as unknown as typeof MpegtsNs;

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
