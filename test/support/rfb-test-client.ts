import WebSocket from 'ws';

/**
 * A minimal RFB client over WebSocket for tests: does the 3.8 handshake with security None,
 * then sends key and pointer events the way noVNC does.
 */
export class RfbTestClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  /** after the first update, server messages are not needed: drop them instead of buffering */
  private discard = false;
  width = 0;
  height = 0;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (d: Buffer) => {
      if (this.discard) return;
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        for (const w of this.waiters.splice(0)) w();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens the socket; resolves once open (the gate may still close it right after). */
  static async open(url: string): Promise<RfbTestClient> {
    const ws = new WebSocket(url, ['binary']);
    const c = new RfbTestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('close', () => resolve());
    });
    return c;
  }

  private async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error('socket closed during RFB read');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`RFB read of ${n} bytes timed out`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async handshake(): Promise<void> {
    const version = (await this.read(12)).toString('latin1');
    if (!version.startsWith('RFB ')) throw new Error(`not RFB: ${version}`);
    this.ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await this.read(1))[0]!;
    if (count === 0) throw new Error('server refused the connection');
    const types = await this.read(count);
    if (!types.includes(1)) throw new Error('server does not offer security None');
    this.ws.send(Buffer.from([1]));
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) throw new Error('security handshake failed');
    this.ws.send(Buffer.from([1])); // ClientInit: shared
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    await this.read(init.readUInt32BE(20));
  }

  /**
   * Asks for the screen and waits until the server starts answering, as noVNC does before anyone
   * can type: x11vnc drops input that arrives before it has set up the new client.
   */
  async waitForFirstUpdate(): Promise<void> {
    const req = Buffer.alloc(10);
    req[0] = 3;
    req.writeUInt16BE(this.width, 6);
    req.writeUInt16BE(this.height, 8);
    this.ws.send(req);
    const head = await this.read(1, 10_000);
    if (head[0] !== 0) throw new Error(`expected a FramebufferUpdate, got message type ${head[0]}`);
    this.discard = true;
    this.buf = Buffer.alloc(0);
  }

  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym, 4);
    this.ws.send(b);
  }

  pointer(x: number, y: number, mask: number): void {
    const b = Buffer.alloc(6);
    b[0] = 5;
    b[1] = mask;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    this.ws.send(b);
  }

  /** Types printable ASCII (keysym == code point) and optionally Return. */
  type(text: string, enter = false): void {
    for (const ch of text) {
      const ks = ch.codePointAt(0)!;
      this.key(ks, true);
      this.key(ks, false);
    }
    if (enter) {
      this.key(0xff0d, true);
      this.key(0xff0d, false);
    }
  }

  close(): void {
    this.ws.close();
  }
}
