// Fan-out load for the bench: a child process (forked, IPC) that opens one plain WS-FLV reader per URL
// it is sent, reads everything, and reports once a second how many are open, how many were closed by
// the server (a reader that falls behind is dropped), the bytes read, how many readers have seen an
// H.264 keyframe and how many got data in the last LIVE_MS (the stream is at least a keepalive frame
// every 500 ms). `connecting` bounds the handshakes in flight. Bounded: it exits on `{stop: true}`,
// when the parent goes away, or after `maxMs`.
import WebSocket from 'ws';

const LIVE_MS = 3000;
const FLV_HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
const PREV_SIZE_BYTES = 4;

let sockets = [];
let bytes = 0;
let open = 0;
let closed = 0;
let keyframes = 0;
const closeCodes = {};
/** by close code, reason and whether data had come, e.g. `4503 room unavailable (before any data)` */
const closeReasons = {};
const lastData = new Map();

/**
 * Reads FLV tags of one reader until the first AVC keyframe (video tag, frame type 1, codec 7, NALU),
 * then stops parsing: the readers are many, and after that only bytes are counted. Any chunking.
 */
function keyframeScanner() {
  let pending = Buffer.alloc(0);
  let inTags = false;
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    if (!inTags) {
      if (pending.length < FLV_HEADER_BYTES + PREV_SIZE_BYTES) return false;
      off = pending.readUInt32BE(5) + PREV_SIZE_BYTES;
      if (pending.length < off) return false;
      inTags = true;
    }
    while (pending.length - off >= TAG_HEADER_BYTES + 2) {
      const size = pending.readUIntBE(off + 1, 3);
      const d = off + TAG_HEADER_BYTES;
      if ((pending[off] & 0x1f) === 9 && size > 1) {
        const b = pending[d];
        if (b >> 4 === 1 && (b & 0x0f) === 7 && pending[d + 1] === 1) return true;
      }
      const total = TAG_HEADER_BYTES + size + PREV_SIZE_BYTES;
      if (pending.length - off < total) break;
      off += total;
    }
    pending = pending.subarray(off);
    return false;
  };
}

/** One reader; `settled` once its handshake is over (open, refused or failed). */
function openReader(url, settled) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let scan = keyframeScanner();
  let connecting = true;
  const done = () => {
    if (connecting) settled();
    connecting = false;
  };
  ws.on('open', () => {
    open++;
    done();
  });
  ws.on('message', (d) => {
    bytes += d.length;
    lastData.set(ws, Date.now());
    if (scan && scan(d)) {
      keyframes++;
      scan = null;
    }
  });
  ws.on('close', (code, reason) => {
    if (!connecting) open--;
    done();
    closed++;
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
    const when = lastData.has(ws) ? 'while reading' : 'before any data';
    const why = `${code} ${reason.toString().slice(0, 60)} (${when})`.replace(/ +/g, ' ');
    closeReasons[why] = (closeReasons[why] ?? 0) + 1;
    lastData.delete(ws);
  });
  ws.on('error', () => {});
  return ws;
}

process.on('message', (m) => {
  if (m.stop) {
    for (const s of sockets) s.terminate();
    process.exit(0);
  }
  if (m.urls) {
    setTimeout(() => process.exit(0), m.maxMs ?? 300_000).unref();
    // at most `connecting` handshakes at once: viewers arrive over a moment, not in one instant
    const queue = [...m.urls];
    let connecting = 0;
    const pump = () => {
      while (connecting < (m.connecting ?? Infinity) && queue.length) {
        connecting++;
        sockets.push(
          openReader(queue.shift(), () => {
            connecting--;
            pump();
          }),
        );
      }
    };
    pump();
  }
});
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  const since = Date.now() - LIVE_MS;
  let live = 0;
  for (const at of lastData.values()) if (at >= since) live++;
  process.send?.({ open, closed, bytes, closeCodes, closeReasons, keyframes, live });
}, 1000);
