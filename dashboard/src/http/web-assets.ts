import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inlineScriptHashes, pageCsp } from './security-headers.js';

/**
 * Where the built web UI is: the configured dir (BOXROOM_WEB_DIR), else `web/dist` beside this bundle (dashboard/dist ->
 * ../../web/dist) or under the working directory, else `web` beside the bundle (the image's layout).
 */
export function findWebDir(configured: string | null): string | null {
  if (configured) return resolve(configured);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', '..', 'web', 'dist'),
    join(process.cwd(), 'web', 'dist'),
    join(here, 'web'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * The pages: `/` (dashboard) and `/r/:id` (a room; the invite travels in the fragment, which never
 * reaches the server) are the same single-page app; hashed assets under /assets/ are immutable.
 */
export async function webAssets(app: FastifyInstance, opts: { root: string | null }): Promise<void> {
  const root = opts.root;
  if (!root) {
    const missing = (_req: unknown, reply: FastifyReply) =>
      reply
        .status(503)
        .type('text/plain')
        .send('The web UI is not built: run `npm run build` (or set BOXROOM_WEB_DIR).');
    app.get('/', missing);
    app.get('/r/:id', missing);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    index: false,
    wildcard: false,
    decorateReply: true,
    // file names under /assets carry a content hash
    maxAge: '365d',
    immutable: true,
  });
  // The page's CSP allows its own inline script by hash: computed once from the built page.
  const csp = pageCsp(inlineScriptHashes(readFileSync(join(root, 'index.html'), 'utf8')));
  // the page itself must never be cached: it names the current hashed assets
  const page = (_req: unknown, reply: FastifyReply) =>
    reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', csp)
      .sendFile('index.html', { cacheControl: false });
  app.get('/', page);
  app.get('/r/:id', page);
}
