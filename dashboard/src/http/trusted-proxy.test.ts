import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { loadSecrets } from '../secrets/secret-store.js';
import { FakeDriver } from '../testing/fake-driver.js';
import { ADMIN_TOKEN } from '../testing/test-app.js';

describe('behind a TLS-terminating reverse proxy', () => {
  let app: FastifyInstance;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'boxroom-proxy-'));
    app = await buildApp({
      config: {
        dataDir,
        publicUrl: 'https://rooms.example.com',
        maxRooms: 5,
        tokenTtlS: 3600,
        trustedProxies: ['10.1.2.3'],
      },
      log: pino({ level: 'silent' }),
      driver: new FakeDriver(),
      secrets: await loadSecrets(dataDir, ADMIN_TOKEN),
      webDir: null,
    });
    // a probe of this test, not part of the API (hidden: the contract test leaves it alone)
    app.get('/whoami', { schema: { hide: true } }, async (req) => ({ ip: req.ip, protocol: req.protocol }));
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const signIn = (remoteAddress: string) =>
    app.inject({
      method: 'POST',
      url: '/api/session',
      remoteAddress,
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
      payload: { token: ADMIN_TOKEN },
    });

  it('believes X-Forwarded-Proto/-For from a trusted proxy: the session cookie is Secure', async () => {
    expect(String((await signIn('10.1.2.3')).headers['set-cookie'])).toMatch(/; Secure$/);
    const who = await app.inject({
      url: '/whoami',
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(who.json()).toEqual({ ip: '203.0.113.7', protocol: 'https' });
  });

  it('ignores them from anyone else', async () => {
    expect(String((await signIn('198.51.100.1')).headers['set-cookie'])).not.toContain('Secure');
    const who = await app.inject({
      url: '/whoami',
      remoteAddress: '198.51.100.1',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(who.json()).toEqual({ ip: '198.51.100.1', protocol: 'http' });
  });
});
