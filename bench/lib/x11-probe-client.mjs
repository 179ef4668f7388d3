// A tiny X11 client with no dependencies (the room image has Node but no X client libraries for it):
// it speaks the X11 wire protocol over the display's unix socket, shows one override-redirect window
// (the window manager never moves, resizes or decorates it, and it stays above the maximized app) and
// repaints it in a given colour on request. It runs beside the room's X server: a child process for
// the local driver, `docker exec -i <room> node -e <this file>` for the docker driver.
//
// stdin, one command a line:   show X Y W H RRGGBB   |   fill RRGGBB   |   quit
// stdout, one answer a line:   ok <sent ms> <done ms>  (Date.now(): the machine's wall clock)
//
// "done" is when the X server answered a GetInputFocus sent after the repaint: requests are handled in
// order, so by then the window's pixels are in the framebuffer that x11grab reads. That is T0.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const display = Number(/:(\d+)/.exec(process.env.DISPLAY ?? '')?.[1] ?? NaN);
if (!Number.isInteger(display)) {
  process.stderr.write('x11-probe-client: DISPLAY is not set\n');
  process.exit(2);
}

const sock = connect(`/tmp/.X11-unix/X${display}`);
sock.setNoDelay?.(true);
let buf = Buffer.alloc(0);
let setup = null;
let seq = 0;
const pending = new Map(); // sequence number -> resolve(reply)
let onSetup = null;

sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (!setup) {
    if (buf.length < 8) return;
    const len = 8 + buf.readUInt16LE(6) * 4;
    if (buf.length < len) return;
    if (buf[0] !== 1) {
      process.stderr.write(`x11-probe-client: connection refused: ${buf.subarray(8, len).toString()}\n`);
      process.exit(3);
    }
    setup = parseSetup(buf.subarray(0, len));
    buf = buf.subarray(len);
    onSetup?.();
  }
  while (buf.length >= 32) {
    const kind = buf[0];
    const len = kind === 1 ? 32 + buf.readUInt32LE(4) * 4 : 32;
    if (buf.length < len) return;
    const s = buf.readUInt16LE(2);
    if (kind === 0) process.stderr.write(`x11-probe-client: X error ${buf[1]} on request ${s}\n`);
    if (kind === 1 || kind === 0) {
      const r = pending.get(s);
      pending.delete(s);
      r?.(kind === 1);
    }
    buf = buf.subarray(len);
  }
});
sock.on('error', (err) => {
  process.stderr.write(`x11-probe-client: ${err.message}\n`);
  process.exit(4);
});

function parseSetup(b) {
  const idBase = b.readUInt32LE(12);
  const vendorLen = b.readUInt16LE(24);
  const formats = b[29];
  const screen = 40 + Math.ceil(vendorLen / 4) * 4 + formats * 8;
  return { idBase, root: b.readUInt32LE(screen) };
}

/**
 * The MIT-MAGIC-COOKIE-1 for this display from $XAUTHORITY (the rooms' Xvfb runs with -auth; the agent
 * keeps the cookie in <run dir>/xauthority), or null. Entries are family (u16), then address, display
 * number, auth name and auth data, each a big-endian u16 length and its bytes (libXau's format).
 */
function readCookie() {
  const file = process.env.XAUTHORITY;
  if (!file) return null;
  let b;
  try {
    b = readFileSync(file);
  } catch (err) {
    process.stderr.write(`x11-probe-client: cannot read XAUTHORITY: ${err.message}\n`);
    return null;
  }
  let off = 0;
  const field = () => {
    const len = b.readUInt16BE(off);
    const v = b.subarray(off + 2, off + 2 + len);
    off += 2 + len;
    return v;
  };
  while (off + 2 <= b.length) {
    off += 2; // family: any (the rooms write FamilyWild)
    field(); // address
    const number = field().toString();
    const name = field().toString();
    const data = field();
    if (name === 'MIT-MAGIC-COOKIE-1' && (number === '' || number === String(display))) return data;
  }
  return null;
}

// client -> server: byte order 'l' (little endian), protocol 11.0, and the cookie when there is one
const cookie = readCookie();
const pad4 = (n) => Math.ceil(n / 4) * 4;
const authName = Buffer.from(cookie ? 'MIT-MAGIC-COOKIE-1' : '');
const authData = cookie ?? Buffer.alloc(0);
const hello = Buffer.alloc(12 + pad4(authName.length) + pad4(authData.length));
hello[0] = 0x6c;
hello.writeUInt16LE(11, 2);
hello.writeUInt16LE(authName.length, 6);
hello.writeUInt16LE(authData.length, 8);
authName.copy(hello, 12);
authData.copy(hello, 12 + pad4(authName.length));
sock.write(hello);

function request(opcode, data, values = []) {
  const body = Buffer.alloc(4 + data.length + values.length * 4);
  body[0] = opcode;
  body.writeUInt16LE(body.length / 4, 2);
  data.copy(body, 4);
  values.forEach((v, i) => body.writeUInt32LE(v >>> 0, 4 + data.length + i * 4));
  seq = (seq + 1) & 0xffff;
  return body;
}

const u32 = (...xs) => {
  const b = Buffer.alloc(xs.length * 4);
  xs.forEach((x, i) => b.writeUInt32LE(x >>> 0, i * 4));
  return b;
};
const u16 = (...xs) => {
  const b = Buffer.alloc(Math.ceil(xs.length / 2) * 4);
  xs.forEach((x, i) => b.writeUInt16LE(x & 0xffff, i * 2));
  return b;
};

const CW_BACK_PIXEL = 0x2;
const CW_OVERRIDE_REDIRECT = 0x200;
const CONFIG_STACK_MODE = 0x40;
let win = 0;

/** Requests, then a GetInputFocus round trip; resolves once the server has handled all of them. */
function sync(bodies) {
  const t0 = Date.now();
  const chunks = [...bodies, request(43, Buffer.alloc(0))];
  const mine = seq;
  return new Promise((resolve) => {
    pending.set(mine, () => resolve([t0, Date.now()]));
    sock.write(Buffer.concat(chunks));
  });
}

function raise() {
  return request(12, Buffer.concat([u32(win), u16(CONFIG_STACK_MODE, 0)]), [0]);
}

function fill(rgb) {
  return [
    raise(),
    request(2, u32(win, CW_BACK_PIXEL), [rgb]), // ChangeWindowAttributes
    request(61, Buffer.concat([u32(win), u16(0, 0, 0, 0)])), // ClearArea (whole window, no Expose)
  ];
}

async function show(x, y, w, h, rgb) {
  win = setup.idBase | 1;
  const create = Buffer.concat([
    u32(win, setup.root),
    u16(x, y, w, h, 0, 1), // border 0, class InputOutput
    u32(0, CW_BACK_PIXEL | CW_OVERRIDE_REDIRECT, rgb, 1), // visual CopyFromParent
  ]);
  const b = request(1, create);
  b[1] = 0; // depth CopyFromParent
  return sync([b, request(8, u32(win)), raise()]);
}

const ready = new Promise((r) => (setup ? r() : (onSetup = r)));
let work = ready;
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, ...a] = line.trim().split(/\s+/);
  work = work.then(async () => {
    if (cmd === 'quit') process.exit(0);
    const [t0, t1] =
      cmd === 'show'
        ? await show(...a.slice(0, 4).map(Number), parseInt(a[4], 16))
        : await sync(fill(parseInt(a[0], 16)));
    process.stdout.write(`ok ${t0} ${t1}\n`);
  });
});
// stdin closed: finish what was asked, then leave (the window goes with the connection)
rl.on('close', () => void work.then(() => process.exit(0)));
