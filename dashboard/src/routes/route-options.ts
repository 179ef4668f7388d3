import type { onRequestHookHandler } from 'fastify';
import { Type } from 'typebox';

/**
 * The options of a route anyone may call, with no bearer token and no session: the auth hook lets it
 * through (`config.public`), OpenAPI lists no security for it, and `limit` (a rate limit) runs first.
 */
export function publicRoute<S extends object>(schema: S, limit?: onRequestHookHandler) {
  return {
    config: { public: true },
    schema: { ...schema, security: [] },
    onRequest: limit ? [limit] : [],
  };
}

/** The schema of an answer with no body (204): `description` says what was done. */
export const noContent = (description: string) => Type.Null({ description });
