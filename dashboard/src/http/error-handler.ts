import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { ErrorBody } from '@boxroom/contracts';
import { AppError, codeForStatus } from '../errors.js';
import { redactUrl, type Logger } from '../logger.js';

/**
 * The one place errors become responses: AppErrors carry their public message; fastify's own client
 * errors (validation, JSON, size, media type) keep their status and message; anything else is a 500
 * whose cause is logged and never sent.
 */
export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    let status: number;
    let body: ErrorBody;
    if (err instanceof AppError) {
      status = err.status;
      body = { error: { code: err.code, message: err.message } };
      if (status >= 500) log.error({ err, cause: err.cause, url: redactUrl(req.url) }, err.message);
      else log.debug({ code: err.code, url: redactUrl(req.url) }, err.message);
    } else if ('validation' in err && err.validation) {
      status = 400;
      body = { error: { code: 'bad_request', message: err.message } };
    } else if ('statusCode' in err && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      body = { error: { code: codeForStatus(status), message: err.message } };
    } else {
      status = 500;
      body = { error: { code: 'internal', message: 'internal error' } };
      log.error({ err, url: redactUrl(req.url) }, 'request failed');
    }
    void reply.status(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ error: { code: 'not_found', message: `no route for ${req.method} ${redactUrl(req.url)}` } });
  });
}

/**
 * Errors fastify raises before routing (a malformed URL, a parameter too long, a bad content type
 * header) skip setErrorHandler: this keeps them in the same `{error: {code, message}}` shape.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, _req, reply) => {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const body: ErrorBody = { error: { code: codeForStatus(status), message: err.message.slice(0, 200) } };
  // The option's reply type is generic over every route's schemas; this one answers any route.
  const r = reply as unknown as { code(s: number): { send(b: ErrorBody): unknown } };
  void r.code(status).send(body);
};

const CLIENT_ERRORS: Record<string, [status: number, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [431, 'the request headers are too large'],
};

/**
 * Requests Node's HTTP parser refuses (headers too large, a malformed request line, a timeout) never
 * reach fastify's handlers: answer them on the socket in the same `{error: {code, message}}` shape.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = (err, socket) => {
  if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
  // As Node and fastify do: a socket that cannot be written to (the peer half-closed it) is dropped.
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, message] = CLIENT_ERRORS[(err as NodeJS.ErrnoException).code ?? ''] ?? [400, 'bad request'];
  const body = JSON.stringify({ error: { code: codeForStatus(status), message } } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
};
