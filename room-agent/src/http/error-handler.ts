import type { FastifyInstance } from 'fastify';
import { ERROR_STATUS, type ErrorCode } from '@boxroom/contracts';
import { AuthError } from '../auth/token-verifier.js';
import { ControlError } from '../control/control-lease.js';
import { FilesError } from '../files/room-files.js';
import { redactUrl, type Logger } from '../logger.js';

/** A route's refusal: the code picks the status (ERROR_STATUS), the message is public. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The agent's one error shape (ErrorBody): coded errors of its parts keep their code and message,
 * framework 4xx become bad_request, anything else is logged and answered as internal.
 */
export function installErrorHandlers(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    let code: ErrorCode = 'internal';
    let message = 'internal error';
    if (err instanceof HttpError) [code, message] = [err.code, err.message];
    else if (err instanceof AuthError) [code, message] = ['unauthorized', err.message];
    else if (err instanceof ControlError) [code, message] = [err.code, err.message];
    else if (err instanceof FilesError) [code, message] = [err.code, err.message];
    else if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      [code, message] = ['bad_request', err.message];
    } else log.error({ err, url: redactUrl(req.url) }, 'request failed');
    void reply.status(ERROR_STATUS[code]).send({ error: { code, message } });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: 'no such endpoint' } });
  });
}
