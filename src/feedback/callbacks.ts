import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { verify } from '../gateway/signature.js';
import { sendError } from '../http/errors.js';
import type { GatewayReport } from '../payout/gateway-report.js';
import type { CallbackDeps } from './callback-deps.js';
import { recordCallback } from './callback-record.js';
import { CALLBACK_DOC, type Callback, callbackSchema } from './callback-schema.js';

export type { CallbackDeps, CallbackResult, DepositReportHandler } from './callback-deps.js';
export { listUnknownCallbacks, UNKNOWN_CALLBACKS_KEPT } from './unknown-callbacks.js';

/**
 * POST /v1/callbacks/gateway: the gateway's word on a payout (type 2) or deposit (type 1).
 * Acknowledged with `{"result":"ok"}` only once what it says is durably recorded; anything else
 * (bad signature, Redis down) gets another answer, so the gateway repeats it.
 * The checks in their order, each with its answer, are in answerCallback: a JSON object, the
 * signature, the schema, then the record (callback-record.ts) and its durability. What is read of a
 * callback is in callback-schema.ts; callbacks about ids we do not know in unknown-callbacks.ts.
 */

export function registerCallbackRoute(app: FastifyInstance, deps: CallbackDeps) {
  app.post('/v1/callbacks/gateway', { schema: CALLBACK_DOC }, async (request, reply) =>
    answerCallback(deps, request.body, reply),
  );
}

async function answerCallback(deps: CallbackDeps, body: unknown, reply: FastifyReply) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    deps.onResult?.('invalid');
    return sendError(reply, 400, 'invalid_callback', 'the callback body must be a JSON object');
  }
  const params = body as Record<string, unknown>;
  if (!verify(params, deps.salt)) {
    deps.onResult?.('bad_signature');
    deps.logger.warn(
      {
        external_id: typeof params.external_id === 'string' ? params.external_id.slice(0, 255) : undefined,
      },
      'callback with a bad or missing signature refused',
    );
    return sendError(reply, 401, 'invalid_signature', 'the callback signature is missing or wrong');
  }
  const parsed = callbackSchema.safeParse(params);
  if (!parsed.success) return refuseMalformed(deps, params, parsed.error, reply);
  const cb = parsed.data;
  const report = reportOf(cb);

  // `{"result":"ok"}` stops the gateway repeating it: only once what it said would survive a
  // fail-over (REDIS_DURABILITY). Otherwise a 503, and its repetition finds it recorded.
  const { result, durable } = await deps.store.durability.durably(() => recordCallback(deps, cb, report));
  if (!durable) {
    deps.onResult?.('not_durable');
    deps.logger.warn(
      { external_id: cb.external_id, type: cb.type, status: cb.status },
      'callback recorded but not confirmed durable in time (REDIS_DURABILITY): answered 503, the gateway repeats it',
    );
    return sendError(
      reply,
      503,
      'store_unavailable',
      'the callback could not be confirmed recorded: outcome unknown, send the same callback again',
    );
  }
  deps.onResult?.(result);
  return reply.code(200).send({ result: 'ok' });
}

/** A signed callback the schema refuses: answered 400 with its issues. */
function refuseMalformed(
  deps: CallbackDeps,
  params: Record<string, unknown>,
  error: z.ZodError,
  reply: FastifyReply,
) {
  deps.onResult?.('invalid');
  // Signed, so from the gateway: an operator must see it, since the gateway repeats it for a day.
  deps.logger.warn(
    {
      external_id: typeof params.external_id === 'string' ? params.external_id.slice(0, 255) : undefined,
      fields: error.issues.map((i) => i.path.join('.')),
    },
    'a signed callback the schema refuses: answered 400',
  );
  return sendError(
    reply,
    400,
    'invalid_callback',
    'the callback is malformed',
    error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** What the callback reports, as the record applies it. */
function reportOf(cb: Callback): GatewayReport {
  return {
    status: cb.status as GatewayReport['status'],
    orderId: cb.order_id,
    reasonCode: cb.reason_code,
    reason: cb.reason,
    // Its transaction type: a deposit's callback under a payout's external_id is not the payout's.
    type: cb.type,
    // What the callback says of the order itself: checked against the record, never written.
    payout: { amount: cb.amount, currency: cb.currency, customerId: cb.customer_id },
  };
}
