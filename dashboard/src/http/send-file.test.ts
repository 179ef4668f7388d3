import Fastify from 'fastify';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { sendFile } from './send-file.js';

describe('sendFile', () => {
  const app = Fastify();
  let dir = '';
  afterEach(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs onDone for a client that left before the file was looked at', async () => {
    dir = await mkdtemp(join(tmpdir(), 'send-file-'));
    const file = join(dir, 'export.mp4');
    await writeFile(file, Buffer.alloc(1024));
    let done = 0;
    let left: () => void = () => undefined;
    const gone = new Promise<void>((r) => (left = r));
    app.get('/', async (req, reply) => {
      req.raw.once('close', left);
      await gone; // the client is gone before sendFile attaches its listener
      await new Promise((r) => setTimeout(r, 20));
      return sendFile(reply, file, { type: 'video/mp4', cache: 'no-store', onDone: () => done++ });
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const req = request({ port, host: '127.0.0.1', path: '/' });
    req.on('error', () => undefined);
    req.end();
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    await until(() => done > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(1);
  });
});
