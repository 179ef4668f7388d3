import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendReleasesFresh } from './release-channel.js';

/** The server half of an RFB 3.8 handshake (security None, -nofb's one update), recording what follows. */
function fakeVnc(
  path: string,
  opts: { offerNone?: boolean } = {},
): Promise<{ server: net.Server; got: Promise<Buffer> }> {
  let gotResolve: (b: Buffer) => void;
  const got = new Promise<Buffer>((r) => (gotResolve = r));
  const server = net.createServer((c) => {
    let buf = Buffer.alloc(0);
    let step = 0;
    c.write('RFB 003.008\n');
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (step === 0 && buf.length >= 12) {
        buf = buf.subarray(12);
        c.write(opts.offerNone === false ? Buffer.from([1, 2]) : Buffer.from([2, 2, 1]));
        step = 1;
      }
      if (step === 1 && buf.length >= 1) {
        buf = buf.subarray(1);
        c.write(Buffer.from([0, 0, 0, 0]));
        step = 2;
      }
      if (step === 2 && buf.length >= 1) {
        buf = buf.subarray(1);
        const init = Buffer.alloc(24 + 4);
        init.writeUInt16BE(640, 0);
        init.writeUInt16BE(480, 2);
        init.writeUInt32BE(4, 20);
        init.write('test', 24);
        c.write(init);
        step = 3;
      }
      if (step === 3 && buf.length >= 10) {
        expect(buf[0]).toBe(3); // FramebufferUpdateRequest before any input
        buf = buf.subarray(10);
        c.write(Buffer.from([0, 0, 0, 0])); // an update header
        step = 4;
      }
    });
    c.on('end', () => gotResolve(buf));
  });
  return new Promise((resolve) => server.listen(path, () => resolve({ server, got })));
}

describe('sendReleasesFresh', () => {
  let dir: string;
  let server: net.Server | null = null;
  afterEach(() => {
    server?.close();
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('handshakes, waits for the first update, sends the releases and closes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'boxroom-release-'));
    const sock = join(dir, 'vnc.sock');
    const fake = await fakeVnc(sock);
    server = fake.server;
    const releases = Buffer.from([4, 0, 0, 0, 0, 0, 0xff, 0xe1, 5, 0, 0, 10, 0, 20]);
    expect(await sendReleasesFresh(sock, releases, 2000)).toBe(true);
    expect(Buffer.compare(await fake.got, releases)).toBe(0);
  });

  it('gives up (false) when x11vnc offers no security None or is not there', async () => {
    dir = mkdtempSync(join(tmpdir(), 'boxroom-release-'));
    const sock = join(dir, 'vnc.sock');
    const fake = await fakeVnc(sock, { offerNone: false });
    server = fake.server;
    expect(await sendReleasesFresh(sock, Buffer.from([4, 0, 0, 0, 0, 0, 0, 0x61]), 1000)).toBe(false);
    expect(await sendReleasesFresh(join(dir, 'missing.sock'), Buffer.from([4]), 1000)).toBe(false);
  });
});
