import type { PrefetchedStream } from '../core/stream-prefetch.js';

export interface FlvSourceEvents {
  bytes(chunk: Uint8Array): void;
  /** the server ended the stream (a closed socket, the end of the response) */
  ended(): void;
  error(why: string): void;
}

/** An open stream; close() stops it without any further event. */
export interface FlvSource {
  close(): void;
}

/**
 * The room's FLV stream as bytes: `ws(s)://` over a WebSocket (one or more whole FLV units per
 * message), `http(s)://` by fetch, or the response the room page prefetched for this URL.
 */
export function openFlvSource(
  url: string,
  on: FlvSourceEvents,
  prefetched: PrefetchedStream | null,
): FlvSource {
  return /^wss?:/.test(url) ? openWebSocket(url, on) : openFetch(url, on, prefetched);
}

function openWebSocket(url: string, on: FlvSourceEvents): FlvSource {
  let open = true;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => {
    if (open && e.data instanceof ArrayBuffer) on.bytes(new Uint8Array(e.data));
  };
  ws.onerror = () => {
    if (open) on.error('the stream socket failed');
    open = false;
  };
  ws.onclose = () => {
    if (open) on.ended();
    open = false;
  };
  return {
    close: () => {
      open = false;
      ws.close();
    },
  };
}

function openFetch(url: string, on: FlvSourceEvents, prefetched: PrefetchedStream | null): FlvSource {
  let open = true;
  const controller = new AbortController();
  const abort = prefetched ? prefetched.abort : () => controller.abort();
  const response = prefetched ? prefetched.response : fetch(url, { signal: controller.signal });
  void (async () => {
    try {
      const res = await response;
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (!open) return;
        if (done) break;
        on.bytes(value);
      }
      if (open) on.ended();
    } catch (e) {
      if (open) on.error(e instanceof Error ? e.message : String(e));
    }
    open = false;
  })();
  return {
    close: () => {
      open = false;
      abort();
    },
  };
}
