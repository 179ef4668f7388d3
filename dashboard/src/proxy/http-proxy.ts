import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { pipeline } from 'node:stream';
import type { ProxiedTraffic } from '../http/metrics.js';
import { BASE_SECURITY_HEADERS } from '../http/security-headers.js';
import type { Logger } from '../logger.js';

/** Request headers worth passing to an agent; everything else (cookies, hop-by-hop) stays here. */
const FORWARD_REQUEST = ['authorization', 'accept', 'range', 'if-none-match', 'user-agent'];

/**
 * Agent response headers that reach the client: what describes the body and its caching, nothing
 * else. An agent (a room container, whose desktop runs anyone's code) must not set cookies, CSP,
 * CORS or redirects on the dashboard's origin.
 */
const FORWARD_RESPONSE = [
  'content-type',
  'content-length',
  'cache-control',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
];

const UPSTREAM_TIMEOUT_MS = 5000;

export interface HttpProxyRequest {
  /** e.g. http://127.0.0.1:41234/stream.flv?token=... */
  target: URL;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  /** the client's response, already hijacked from fastify */
  res: ServerResponse;
  log: Logger;
  /** counts the bytes passed to the client; ended once when the request is over */
  traffic?: ProxiedTraffic;
}

function requestHeaders(
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of FORWARD_REQUEST) if (headers[name] !== undefined) out[name] = headers[name];
  // the client as fastify resolved it (req.ip: through trusted proxies only); a client's own
  // X-Forwarded-For is not passed on, so it cannot pose as another address to the agent
  if (remoteAddress) out['x-forwarded-for'] = remoteAddress;
  return out;
}

export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  // the response is hijacked from fastify: its onSend hook does not add these
  const out: OutgoingHttpHeaders = { ...BASE_SECURITY_HEADERS };
  for (const name of FORWARD_RESPONSE) if (headers[name] !== undefined) out[name] = headers[name];
  return out;
}

function sendUnavailable(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, {
    ...BASE_SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify({ error: { code: 'unavailable', message: 'room agent is not reachable' } }));
}

/**
 * One GET streamed from an agent to the client. pipeline() gives backpressure (a slow client pauses
 * the agent's response, which the agent notices and drops) and holds no more than the sockets'
 * own buffers: the live stream is never collected here.
 */
export function proxyHttp(p: HttpProxyRequest): void {
  const { res, log } = p;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    p.traffic?.end();
  };
  const upstream = httpRequest(p.target, {
    method: 'GET',
    headers: requestHeaders(p.headers, p.remoteAddress),
    timeout: UPSTREAM_TIMEOUT_MS,
  });
  // FLV tags are small and latency-critical: never let Nagle hold one back on this hop.
  upstream.setNoDelay(true);
  res.on('close', () => {
    upstream.destroy();
    end();
  });
  upstream.on('timeout', () => upstream.destroy(new Error('agent did not answer in time')));
  upstream.on('response', (upRes) => {
    // The timeout guards the connect and the head only; a live stream may be quiet for a while.
    upstream.setTimeout(0);
    res.writeHead(upRes.statusCode ?? 502, responseHeaders(upRes.headers));
    // Players resolve their fetch on headers: send them before the first tag.
    res.flushHeaders();
    const { traffic } = p;
    if (traffic) upRes.on('data', (chunk: Buffer) => traffic.bytes('to_client', chunk.length));
    pipeline(upRes, res, (err) => {
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        log.debug({ err: err.message }, 'proxied response ended with error');
      end();
    });
  });
  upstream.on('error', (err) => {
    log.debug({ err: err.message, path: p.target.pathname }, 'agent request failed');
    sendUnavailable(res);
    end();
  });
  upstream.end();
}
