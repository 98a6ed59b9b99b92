import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { GatewayStatusCode } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import type { Issue } from '../methods/index.js';

/** The gateway's error bodies as the sandbox answers them, and the small checks every handler uses. */

export type ErrorCode =
  | 'unauthorized'
  | 'invalid_signature'
  | 'bad_request'
  | 'validation_failed'
  | 'duplicate_external_id'
  | 'service_unavailable'
  | 'too_many_requests'
  | 'internal_error'
  | 'order_not_found'
  | 'not_found'
  | 'body_too_large'
  | 'unsupported_media_type';

export const errorBody = (code: ErrorCode, message: string, issues?: Issue[]) => ({
  error: { code, message, ...(issues ? { issues } : {}) },
});

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const digest = (text: string) => createHash('sha256').update(text).digest();

export const isFinal = (status: GatewayStatusCode) => status === 4 || status === 5 || status === 6;

/** Unparseable, too large or unknown requests get the gateway's error shape; a body is never logged. */
export function answerErrorsAsTheGateway(app: FastifyInstance, logger: Logger | undefined): void {
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    const [code, message]: [ErrorCode, string] =
      status === 413
        ? ['body_too_large', 'the body is too large']
        : status === 415
          ? ['unsupported_media_type', 'send Content-Type: application/json']
          : status < 500
            ? ['bad_request', 'the body is not valid JSON']
            : ['internal_error', 'the sandbox failed'];
    // The error's message can quote the body (JSON parse errors do): only its code is logged.
    logger?.warn({ url: request.url, status, code: error.code }, 'sandbox refused a request');
    return reply.code(status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send(errorBody('not_found', 'no such endpoint')),
  );
}
