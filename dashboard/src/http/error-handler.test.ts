import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientErrorHandler } from './error-handler.js';

describe('clientErrorHandler', () => {
  const app = Fastify({ clientErrorHandler });
  app.get('/', async () => 'ok');
  afterEach(async () => app.close());

  const send = (port: number, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('answers what the HTTP parser refuses in the API error shape', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    expect((await send(port, {})).status).toBe(200);
    const big = await send(port, { 'x-big': 'x'.repeat(20_000) });
    expect(big.status).toBe(431);
    expect(JSON.parse(big.body)).toEqual({
      error: { code: 'bad_request', message: 'the request headers are too large' },
    });
  });
});
