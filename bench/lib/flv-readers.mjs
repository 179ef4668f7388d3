// Fan-out load for the bench: a child process (forked, IPC) that opens one plain WS-FLV reader per URL
// it is sent, reads everything, and reports once a second how many are open, how many were closed by
// the server (a reader that falls behind is dropped), the bytes read, how many readers have seen an
// H.264 keyframe and how many got data in the last LIVE_MS (the stream is at least a keepalive frame
// every 500 ms). `connecting` bounds the handshakes in flight; `nice` (0-19) lowers this process's
// CPU priority. Bounded: it exits on `{stop: true}`, when the parent goes away, or after `maxMs`.
//
// The readers stand in for viewers on other machines, so they cost as little CPU as they can: after
// the HTTP upgrade each one walks the WebSocket frame headers of what its socket delivers (no ws
// library, no message objects, no allocation per frame), looks into data frames only until its first
// keyframe, and answers the server's ping and close. Every message of the stream is one FLV unit
// (a tag with its PreviousTagSize), so a keyframe is told by the first bytes of a message.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { setPriority } from 'node:os';

const LIVE_MS = 3000;
/** a control frame's payload is at most 125 bytes, plus a header of 2 */
const CONTROL_MAX = 127;

let bytes = 0;
let open = 0;
let closed = 0;
let keyframes = 0;
const closeCodes = {};
/** by close code, reason and whether data had come, e.g. `4503 room unavailable (before any data)` */
const closeReasons = {};
const readers = new Set();

/** Whether an FLV tag's first 13 bytes are an AVC keyframe NAL unit (video, key, AVC, NALU). */
const isKeyframe = (b, at) => (b[at] & 0x1f) === 9 && b[at + 11] === 0x17 && b[at + 12] === 1;

/**
 * One reader's WebSocket frames, walked as its socket delivers them. `need` bytes of the current
 * frame's payload are still to come; a header, a control frame or the first bytes of a data frame
 * that straddle two reads are gathered in `part`, the only copy made, and only then.
 */
class Reader {
  constructor(socket) {
    this.socket = socket;
    this.lastData = 0;
    this.sawKeyframe = false;
    this.need = 0;
    /** the current frame's opcode, and whether its payload is looked into */
    this.opcode = 0;
    this.part = null;
    this.closeCode = 1006;
    this.closeReason = '';
    this.gone = false;
  }

  data(chunk) {
    bytes += chunk.length;
    this.lastData = Date.now();
    let buf = chunk;
    if (this.part) {
      buf = Buffer.concat([this.part, chunk]);
      this.part = null;
    }
    let off = 0;
    while (off < buf.length) {
      if (this.need > 0) {
        const take = Math.min(this.need, buf.length - off);
        this.need -= take;
        off += take;
        continue;
      }
      const left = buf.length - off;
      if (left < 2) return this.keep(buf, off);
      const b1 = buf[off + 1] & 0x7f;
      const head = b1 < 126 ? 2 : b1 === 126 ? 4 : 10;
      if (left < head) return this.keep(buf, off);
      const len = b1 < 126 ? b1 : b1 === 126 ? buf.readUInt16BE(off + 2) : buf.readUIntBE(off + 4, 6);
      const opcode = buf[off] & 0x0f;
      if (opcode >= 8) {
        // close, ping, pong: small, handled whole
        if (left < head + len) return len <= CONTROL_MAX ? this.keep(buf, off) : this.socket.destroy();
        this.control(opcode, buf.subarray(off + head, off + head + len));
        off += head + len;
        continue;
      }
      if (!this.sawKeyframe && opcode !== 0 && len >= 13) {
        if (left < head + 13) return this.keep(buf, off);
        if (isKeyframe(buf, off + head)) {
          this.sawKeyframe = true;
          keyframes++;
        }
      }
      off += head;
      this.need = len;
    }
  }

  keep(buf, off) {
    this.part = Buffer.from(buf.subarray(off));
  }

  control(opcode, payload) {
    if (opcode === 9) this.send(0xa, payload);
    if (opcode !== 8) return;
    if (payload.length >= 2) {
      this.closeCode = payload.readUInt16BE(0);
      this.closeReason = payload.subarray(2).toString();
    } else {
      this.closeCode = 1005;
    }
    this.send(0x8, payload.subarray(0, 2));
    this.socket.end();
  }

  /** A masked (client to server) control frame. */
  send(opcode, payload) {
    if (this.socket.destroyed || !this.socket.writable) return;
    const mask = randomBytes(4);
    const out = Buffer.alloc(6 + payload.length);
    out[0] = 0x80 | opcode;
    out[1] = 0x80 | payload.length;
    mask.copy(out, 2);
    for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i] ^ mask[i & 3];
    this.socket.write(out);
  }

  ended() {
    if (this.gone) return;
    this.gone = true;
    readers.delete(this);
    open--;
    closed++;
    closeCodes[this.closeCode] = (closeCodes[this.closeCode] ?? 0) + 1;
    const when = this.lastData ? 'while reading' : 'before any data';
    const why = `${this.closeCode} ${this.closeReason.slice(0, 60)} (${when})`.replace(/ +/g, ' ');
    closeReasons[why] = (closeReasons[why] ?? 0) + 1;
  }
}

/** A refused or failed handshake counts as a close, with the HTTP status as its code. */
function refused(code, reason) {
  closed++;
  closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  const why = `${code} ${String(reason).slice(0, 60)} (before any data)`.replace(/ +/g, ' ');
  closeReasons[why] = (closeReasons[why] ?? 0) + 1;
}

/** One reader: the upgrade by hand, then a Reader on the socket; `settled` once the handshake is over. */
function openReader(url, settled) {
  const u = new URL(url);
  const req = request({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
    },
  });
  let done = false;
  const settle = () => {
    if (!done) settled();
    done = true;
  };
  req.on('upgrade', (res, socket, head) => {
    settle();
    const r = new Reader(socket);
    readers.add(r);
    open++;
    socket.setNoDelay(true);
    socket.on('data', (d) => r.data(d));
    socket.on('close', () => r.ended());
    socket.on('error', () => {});
    if (head.length) r.data(head);
  });
  req.on('response', (res) => {
    settle();
    refused(res.statusCode, res.statusMessage);
    res.resume();
  });
  req.on('error', (err) => {
    if (done) return;
    settle();
    refused(1006, err.message);
  });
  req.end();
}

process.on('message', (m) => {
  if (m.stop) {
    for (const r of readers) r.socket.destroy();
    process.exit(0);
  }
  if (m.urls) {
    if (m.nice) setPriority(m.nice);
    setTimeout(() => process.exit(0), m.maxMs ?? 300_000).unref();
    // at most `connecting` handshakes at once: viewers arrive over a moment, not in one instant
    const queue = [...m.urls];
    let connecting = 0;
    const pump = () => {
      while (connecting < (m.connecting ?? Infinity) && queue.length) {
        connecting++;
        openReader(queue.shift(), () => {
          connecting--;
          pump();
        });
      }
    };
    pump();
  }
});
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  const since = Date.now() - LIVE_MS;
  let live = 0;
  for (const r of readers) if (r.lastData >= since) live++;
  process.send?.({ open, closed, bytes, closeCodes, closeReasons, keyframes, live });
}, 1000);
