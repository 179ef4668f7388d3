import WebSocket from 'ws';
import { dashboardRoutes } from '../../dashboard/src/testing/dashboard-routes.js';
import {
  checkHttp,
  checkSessionMessage,
  isForeignSession,
  isWatchedDashboard,
  track,
} from './contract-check.js';

/**
 * Setup file of the integration tests, which talk to real processes: every answer of a dashboard the
 * tests started (fetch) and every message on a session socket (ws) goes through the contract check.
 * Dashboards built in the test's process are checked in the app itself (contract-setup.ts); the unit
 * tests' agents are stand-ins that echo, so their session sockets are not.
 */

const PATCHED = Symbol.for('boxroom.contract-intercept');
const g = globalThis as typeof globalThis & { [PATCHED]?: true };

function methodOf(input: Parameters<typeof fetch>[0], init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
}

function urlOf(input: Parameters<typeof fetch>[0]): URL {
  return new URL(input instanceof Request ? input.url : String(input));
}

/** The test aborted the request before the body came: it saw no body, there is none to check. */
function aborted(err: unknown): null {
  if ((err as { name?: string } | null)?.name === 'AbortError') return null;
  throw err;
}

async function checkFetched(method: string, url: URL, res: Response): Promise<void> {
  const contentType = res.headers.get('content-type') ?? undefined;
  // only JSON is read (a clone): a stream or a page is never waited for
  const body = /json/i.test(contentType ?? '') ? await res.clone().text().catch(aborted) : '';
  if (body === null) return;
  const route = await (await dashboardRoutes())(method, url.pathname);
  checkHttp({ method, path: url.pathname, route, status: res.status, contentType, body });
}

if (!g[PATCHED]) {
  g[PATCHED] = true;

  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const url = urlOf(input);
    if (isWatchedDashboard(url.origin)) track(checkFetched(methodOf(input, init), url, res));
    return res;
  };

  // Client sockets only (a server-side socket has no url): what the agent or the proxy sent.
  const emit = WebSocket.prototype.emit;
  WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
    if (event === 'message' && this.url) {
      const url = new URL(this.url);
      if (url.pathname.endsWith('/session') && !isForeignSession(url.host)) {
        const [data, isBinary] = args as [WebSocket.RawData, boolean];
        const where = `${url.host}${url.pathname}`;
        if (isBinary) checkSessionMessage(where, '(a binary frame)');
        else checkSessionMessage(where, String(data));
      }
    }
    return emit.call(this, event, ...args);
  };
}
