import { describe, expect, it, vi } from 'vitest';
import type MpegtsNs from 'mpegts.js';
// the library's own loader module (not a stand-in): the subclass is tested against the real base class
import * as loaderModule from 'mpegts.js/src/io/loader.js';
import { prefetchedLoader } from './prefetched-loader.js';

const Mpegts = loaderModule as unknown as typeof MpegtsNs;

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
  const l = new loader({} as MpegtsNs.SeekHandler, {} as MpegtsNs.Config);
  const seen: string[] = [];
  l.onDataArrival = (chunk, start, received) =>
    seen.push(`data ${[...new Uint8Array(chunk)].join(',')} @${start} (${received})`);
  l.onComplete = (from, to) => seen.push(`complete ${from}-${to}`);
  l.onError = (type, info) => seen.push(`error ${String(type)} ${info.code}`);
  l.open({} as MpegtsNs.MediaSegment, { from: 0, to: -1 });
  return { l, seen };
}

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
