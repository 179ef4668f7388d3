import Fastify from 'fastify';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findWebDir, webAssets } from './web-assets.js';

describe('web assets', () => {
  const root = mkdtempSync(join(tmpdir(), 'boxroom-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>boxroom</title>');
  writeFileSync(join(root, 'assets', 'main-abc123.js'), 'export {}');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves the single-page app at / and /r/:id, uncached, and hashed assets as immutable', async () => {
    const app = Fastify();
    await app.register(webAssets, { root });
    for (const url of ['/', '/r/abc123']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain('<title>boxroom</title>');
    }
    const js = await app.inject('/assets/main-abc123.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/assets/../../etc/passwd')).statusCode).toBe(404);
    await app.close();
  });

  it('says how to build the UI when it is missing', async () => {
    const app = Fastify();
    await app.register(webAssets, { root: null });
    const res = await app.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await app.close();
  });

  it('finds the UI from BOXROOM_WEB_DIR first', () => {
    expect(findWebDir(root)).toBe(root);
  });
});
