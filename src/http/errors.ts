import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PayoutError, StoreUnavailableError, ValidationError } from '../errors.js';
import type { Issue } from '../methods/index.js';
import { isRedisUnavailable } from '../redis.js';

/** The API's one error shape: `{"error":{"code","message","issues"?}}`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  issues?: Issue[],
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, ...(issues ? { issues } : {}) } });
}

/**
 * Errors the router meets before any route runs (fastify's `frameworkErrors`), in the API's shape
 * and without echoing the path: a broken percent-escape, a parameter past the router's length.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return sendError(reply, 400, 'bad_url', 'the request path is not valid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return sendError(reply, 414, 'uri_too_long', 'a path parameter is too long');
    default:
      return sendError(reply, 500, 'internal_error', 'internal error');
  }
}

/** Maps every error to the error shape; a client's mistake is never a 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ValidationError) return sendError(reply, 422, err.code, err.message, err.issues);
    if (err instanceof PayoutError)
      return sendError(reply, err.httpStatus, err.code, err.message, err.issues);
    if (isRedisUnavailable(err)) {
      const unavailable = new StoreUnavailableError();
      return sendError(reply, unavailable.httpStatus, unavailable.code, unavailable.message);
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'body_too_large', 'the request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'unsupported_media_type', 'send the body as application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'invalid_json', 'the request body is empty');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendError(reply, 400, 'invalid_request', 'the Content-Length does not match the body');
      default:
        break;
    }
    if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return sendError(reply, 400, 'invalid_json', 'the request body is not valid JSON');
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, 'bad_request', err.message);
    request.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'internal_error', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
