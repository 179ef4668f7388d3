// Fan-out load for the bench: a child process (forked, IPC) that opens one plain WS-FLV reader per URL
// it is sent, reads everything, and reports once a second how many are open, how many were closed by
// the server (a reader that falls behind is dropped) and the bytes read. Bounded: it exits on
// `{stop: true}`, when the parent goes away, or after `maxMs`.
import WebSocket from 'ws';

let sockets = [];
let bytes = 0;
let open = 0;
let closed = 0;
const closeCodes = {};

process.on('message', (m) => {
  if (m.stop) {
    for (const s of sockets) s.terminate();
    process.exit(0);
  }
  if (m.urls) {
    setTimeout(() => process.exit(0), m.maxMs ?? 300_000).unref();
    sockets = m.urls.map((url) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('open', () => open++);
      ws.on('message', (d) => (bytes += d.length));
      ws.on('close', (code) => {
        open--;
        closed++;
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      });
      ws.on('error', () => {});
      return ws;
    });
  }
});
process.on('disconnect', () => process.exit(0));
setInterval(() => process.send?.({ open, closed, bytes, closeCodes }), 1000);
