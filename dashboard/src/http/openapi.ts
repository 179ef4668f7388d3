import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DESCRIPTION = `Control plane of boxroom: shared remote desktops in the browser.

Operators authenticate with \`Authorization: Bearer <admin token>\`; everyone else exchanges the invite
secret from a room link (\`/r/:id#invite=...\`) for a short-lived participant token with
\`POST /api/rooms/{id}/join\`. A token works in the room it names only (403 elsewhere; listing and
creating rooms need the admin token), and tokens with \`aud: "boxroom-agent"\` (the dashboard's own
calls to agents) are refused everywhere with 401.

Per room, proxied to the room's agent (browsers cannot put headers on a WebSocket, so these take
\`?token=\`, which is never logged): \`GET /rooms/{id}/stream.flv\` (HTTP-FLV),
WS \`/rooms/{id}/stream\` (WS-FLV), WS \`/rooms/{id}/input\` (RFB, the controller only),
WS \`/rooms/{id}/session\` (JSON events), \`GET /rooms/{id}/snapshot.jpg\`. WebSockets close with
4401 (bad token), 4403 (not allowed), 4404 (unknown room), 4408 (too slow), 4409 (control revoked),
4503 (room unavailable).

Errors are \`{"error": {"code", "message"}}\`.`;

/**
 * Swagger UI's files. The plugin finds them beside its own source, which a one-file bundle moves:
 * beside the bundle (the dashboard image copies them there), else in node_modules (`npm start`).
 */
export function swaggerUiDir(): string | null {
  const candidates = [join(dirname(fileURLToPath(import.meta.url)), 'static')];
  try {
    const pkg = createRequire(import.meta.url).resolve('@fastify/swagger-ui/package.json');
    candidates.push(join(dirname(pkg), 'static'));
  } catch {
    // not installed beside us: the image's layout
  }
  return candidates.find((d) => existsSync(join(d, 'logo.svg'))) ?? null;
}

/** OpenAPI from the routes' own TypeBox schemas: served at /openapi.json and browsable at /docs. */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'boxroom dashboard API', version, description: DESCRIPTION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  const uiDir = swaggerUiDir();
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    ...(uiDir
      ? { baseDir: uiDir, logo: { type: 'image/svg+xml', content: readFileSync(join(uiDir, 'logo.svg')) } }
      : {}),
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
}
