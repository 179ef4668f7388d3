import { ErrorBody, SessionEvent } from '@boxroom/contracts';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * The contract test: every API answer and every session event the tests see is checked against the
 * contracts (contracts/src), through the schemas the dashboard's routes declare, so nothing is listed
 * twice. Violations are recorded here and fail the test that caused them; the hooks that feed them are
 * installed by contract-setup.ts (apps in the test's process) and contract-intercept.ts (processes).
 */

/** What a route declares about its answers: fastify's `schema.response`, by status. */
export interface RouteContract {
  method: string;
  /** the route's URL pattern (`/api/rooms/:id`) */
  url: string;
  /** hidden from the OpenAPI document (the document itself and its UI): not part of the API */
  hidden: boolean;
  response: Readonly<Record<string, TSchema>>;
}

/** One HTTP answer as a client saw it. */
export interface HttpExchange {
  method: string;
  /** for the failure message: the request's path */
  path: string;
  /** null: no route matched (the not-found handler) or fastify refused before routing */
  route: RouteContract | null;
  status: number;
  contentType: string | undefined;
  /** the body as sent; not read for answers that are not JSON */
  body: string;
}

/** Fastify's own order: the exact status, then its class (`4xx`), then `default`. */
function declared(route: RouteContract, status: number): TSchema | undefined {
  const r = route.response;
  return r[String(status)] ?? r[`${Math.floor(status / 100)}xx`] ?? r.default;
}

function schemaErrors(schema: TSchema, value: unknown): string | null {
  if (Value.Check(schema, value)) return null;
  return Value.Errors(schema, value)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

const isJson = (contentType: string | undefined) =>
  /^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '');

/** Why an answer breaks its route's contract, or null when it keeps it (or is not an API answer). */
export function httpViolation(x: HttpExchange): string | null {
  const what = `${x.method} ${x.path} -> ${x.status}`;
  if (x.method === 'HEAD' || x.status < 200 || x.route?.hidden) return null;
  const own = x.route ? declared(x.route, x.status) : undefined;
  const missing = () => {
    const route = x.route ? `${x.route.method} ${x.route.url}` : 'no route';
    return `${what}: no contract for status ${x.status} (${route}); declare it in the route's response schemas`;
  };
  // 204 has no body (HTTP drops one): what is checked is that the route says it answers 204
  if (x.status === 204) return own ? null : missing();
  if (!isJson(x.contentType)) {
    // Pages, assets, streams, snapshots and metrics are not JSON: not API shapes, unless declared so.
    // A route that declares bytes (a file download: `format: binary`) answers bytes of any type.
    if (own && (own as { format?: unknown }).format === 'binary') return null;
    return own ? `${what}: the contract is JSON, the answer is ${x.contentType ?? 'without a type'}` : null;
  }
  // Every error, declared by its route or not (a body too large, a room of another protocol), comes
  // from the one error handler: its contract is ErrorBody. A success the route does not declare has none.
  const schema = own ?? (x.status >= 400 ? ErrorBody : undefined);
  if (!schema) return missing();
  let value: unknown;
  try {
    value = JSON.parse(x.body);
  } catch {
    return `${what}: the body is not JSON: ${x.body.slice(0, 200)}`;
  }
  const errs = schemaErrors(schema, value);
  return errs && `${what}: ${errs}; body ${x.body.slice(0, 300)}`;
}

/** Why a message on a session socket is not a SessionEvent, or null. */
export function sessionEventViolation(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  const errs = schemaErrors(SessionEvent, value);
  return errs && `${errs}; event ${text.slice(0, 300)}`;
}

/**
 * One store per process, whichever copy of this module records into it: a hook installed once (a
 * patched global, a diagnostics channel subscriber) keeps reporting to the tests of a later file.
 */
interface Store {
  violations: string[];
  pending: Set<Promise<unknown>>;
  /** origins of real dashboards the tests started: what they answer is checked (contract-intercept.ts) */
  dashboards: Set<string>;
}
const STORE = Symbol.for('boxroom.contract-check');
const store = ((globalThis as { [STORE]?: Store })[STORE] ??= {
  violations: [],
  pending: new Set(),
  dashboards: new Set(),
});
const { violations, pending, dashboards } = store;

export function checkHttp(x: HttpExchange): void {
  const v = httpViolation(x);
  if (v) violations.push(v);
}

/** `where`: the socket's URL without its query (which carries the token). */
export function checkSessionMessage(where: string, text: string): void {
  const v = sessionEventViolation(text);
  if (v) violations.push(`session event on ${where}: ${v}`);
}

/** A check that must read a body first: awaited before the violations are taken. */
export function track(check: Promise<unknown>): void {
  const p = check.catch((err: unknown) => violations.push(`contract check failed: ${String(err)}`));
  pending.add(p);
  void p.finally(() => pending.delete(p));
}

/** The violations recorded since the last call (after the checks in flight are done). */
export async function takeViolations(): Promise<string[]> {
  while (pending.size > 0) await Promise.all([...pending]);
  return violations.splice(0);
}

export function watchDashboard(url: string): void {
  dashboards.add(new URL(url).origin);
}

export function isWatchedDashboard(origin: string): boolean {
  return dashboards.has(origin);
}

/**
 * Hosts (`127.0.0.1:<port>`) whose `/session` sockets are not boxroom's: a browser's WebDriver BiDi
 * endpoint (ws://127.0.0.1:<port>/session, see firefox.ts) carries the test's browser commands.
 */
const foreignSessions = new Set<string>();

export function ignoreSessionSockets(host: string): void {
  foreignSessions.add(host);
}

export function isForeignSession(host: string): boolean {
  return foreignSessions.has(host);
}
