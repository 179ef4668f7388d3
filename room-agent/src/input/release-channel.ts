import net from 'node:net';

/** RFB 3.8 ServerInit: width, height, pixel format (16), name length, then the name. */
const SERVER_INIT_FIXED_BYTES = 24;
const SECURITY_NONE = 1;

/**
 * Sends `releases` (KeyEvent/PointerEvent messages) to x11vnc over a connection of its own: RFB 3.8
 * handshake with security None, ClientInit shared, a first update, the messages, then close. For a controller whose
 * own connection x11vnc dropped (x11vnc closes clients over requests it dislikes) while a key or
 * button was down: the X server keeps those down until someone releases them, and x11vnc injects
 * into the one X server whichever client speaks. Resolves true once the bytes were written.
 */
export function sendReleasesFresh(vncSocket: string, releases: Buffer, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const tcp = net.connect({ path: vncSocket });
    let buf = Buffer.alloc(0);
    let step: 'version' | 'types' | 'result' | 'init' | 'update' | 'done' = 'version';
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      step = 'done';
      if (ok) tcp.end();
      else tcp.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    tcp.on('error', () => finish(false));
    tcp.on('close', () => step !== 'done' && finish(false));
    tcp.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (step === 'version') {
          if (buf.length < 12) return;
          buf = buf.subarray(12);
          tcp.write('RFB 003.008\n');
          step = 'types';
        } else if (step === 'types') {
          if (buf.length < 1 || buf.length < 1 + buf[0]!) return;
          const types = buf.subarray(1, 1 + buf[0]!);
          buf = buf.subarray(1 + buf[0]!);
          if (!types.includes(SECURITY_NONE)) return finish(false);
          tcp.write(Buffer.from([SECURITY_NONE]));
          step = 'result';
        } else if (step === 'result') {
          if (buf.length < 4) return;
          if (buf.readUInt32BE(0) !== 0) return finish(false);
          buf = buf.subarray(4);
          tcp.write(Buffer.from([1])); // ClientInit: shared, the other clients stay
          step = 'init';
        } else if (step === 'init') {
          if (buf.length < SERVER_INIT_FIXED_BYTES) return;
          const total = SERVER_INIT_FIXED_BYTES + buf.readUInt32BE(20);
          if (buf.length < total) return;
          buf = buf.subarray(total);
          // x11vnc drops input that arrives before it has set the client up: ask for a pixel and
          // send once it answers (with -nofb it still sends one update)
          const req = Buffer.alloc(10);
          req[0] = 3;
          req.writeUInt16BE(1, 6);
          req.writeUInt16BE(1, 8);
          tcp.write(req);
          step = 'update';
        } else if (step === 'update') {
          if (buf.length < 1) return;
          step = 'done';
          tcp.write(releases, (err) => finish(err == null));
          return;
        } else return;
      }
    });
  });
}
