import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Currencies } from '../currency/index.js';
import { orderIdSchema, safeText } from '../gateway/schemas.js';
import { verify } from '../gateway/signature.js';
import { BODY_ERRORS, ok, responses } from '../http/contract.js';
import { sendError } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { applyGatewayReport, type GatewayReport } from '../payout/gateway-report.js';
import type { PayoutStore } from '../payout/store.js';
import type { ArchiveReader } from '../producer/view.js';
import { applyArchivedCallback } from './archived-callback.js';

/**
 * POST /v1/callbacks/gateway: the gateway's word on a payout (type 2) or deposit (type 1).
 * Acknowledged with `{"result":"ok"}` only once what it says is durably recorded; anything else
 * (bad signature, Redis down) gets another answer, so the gateway repeats it.
 */

const numeric = (allowed: readonly number[]) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().refine((n) => allowed.includes(n), `must be one of ${allowed.join(', ')}`));

/**
 * A blank value says nothing: the signature leaves it out (SPEC.md "Signature"), so it is read as
 * absent. An empty order_id must never reach the record, where it would erase the one recorded.
 */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** A string or a number, read as text. */
const text = z.union([z.string(), z.number()]).transform(String);

const callbackSchema = z.object({
  status: numeric([1, 2, 3, 4, 5, 6, 7]),
  type: numeric([1, 2, 3]),
  external_id: z.string().min(1).max(255),
  // Read as in the gateway's answers: compared with the recorded one, and kept.
  order_id: optional(orderIdSchema),
  // Only compared with the payout's own, never kept.
  amount: optional(text),
  currency: optional(text),
  customer_id: optional(text),
  // Made safe as the gateway's answers are (card-shaped digits masked, cut): they reach the record,
  // the API, notifications and Bull Board.
  reason_code: optional(text.transform(safeText)),
  reason: optional(z.string().max(2000).transform(safeText)),
});

type Callback = z.infer<typeof callbackSchema>;

const CALLBACK_EXAMPLE = {
  status: 4,
  type: 2,
  external_id: 'po-1001',
  order_id: '8f1c2e',
  amount: '1100',
  currency: 'USD',
  signature: '3f7a0c9e5b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a',
};

/** /docs: what the gateway sends (SPEC.md "Callbacks") and what it gets back. */
const CALLBACK_DOC = {
  summary: "The gateway's callback (signed with the callback salt)",
  description:
    'Acknowledged with {"result":"ok"} once what it says is recorded (for a payout archived to the ledger, checked against it there; for an external_id we do not know, kept for operators); any other answer makes the gateway repeat it.',
  tags: ['gateway'],
  security: [],
  body: callbackSchema
    .extend({
      signature: z
        .string()
        .regex(/^[0-9a-fA-F]{40}$/)
        .describe('SHA-1 over the sorted fields and the salt'),
    })
    .loose()
    .meta({ examples: [CALLBACK_EXAMPLE] }),
  response: responses({ 200: ok('Recorded.', z.object({ result: z.literal('ok') }), { result: 'ok' }) }, [
    ...BODY_ERRORS,
    [400, { description: 'Not JSON, not an object, or a signed callback the schema refuses (`issues`).' }],
    [
      401,
      {
        description: 'The signature is missing or wrong.',
        example: {
          error: { code: 'invalid_signature', message: 'the callback signature is missing or wrong' },
        },
      },
    ],
    [
      503,
      {
        description:
          'Could not be recorded, or not confirmed durable in time (REDIS_DURABILITY); the gateway repeats it.',
      },
    ],
  ]),
};

export type CallbackResult =
  | 'ok'
  | 'not_durable'
  | 'bad_signature'
  | 'invalid'
  | 'unknown_id'
  | 'contradiction'
  | 'unchanged';

/** Applies a type-1 callback; supplied by the deposits module. */
export type DepositReportHandler = (
  externalId: string,
  report: GatewayReport,
) => Promise<'applied' | 'unchanged' | 'contradiction' | 'unknown_deposit'>;

export interface CallbackDeps {
  store: PayoutStore;
  redis: Redis;
  /** The salt callbacks are signed with (CALLBACK_SIGNATURE_SALT, by default SIGNATURE_SALT). */
  salt: string;
  logger: Logger;
  onDepositReport?: DepositReportHandler;
  onContradiction?: (externalId: string) => void;
  /** For metrics: one call per callback with its result. */
  onResult?: (result: CallbackResult) => void;
  /** How a contradicting callback's amounts are logged (`config.currencies`). */
  currencies?: Currencies;
  /** Where payouts archived out of Redis are (the ledger): their callbacks are checked against it. */
  archive?: ArchiveReader;
  /** Whether notifications are configured: an archived payout's contradiction is notified too. */
  notify?: boolean;
}

/** Callbacks about ids we do not know are kept for operators; the newest are kept. */
export const UNKNOWN_CALLBACKS_KEPT = 10_000;

export function registerCallbackRoute(app: FastifyInstance, deps: CallbackDeps) {
  const unknownKey = `${deps.store.keys.base}:callbacks:unknown`;

  /** Applies a verified callback to its payout or deposit, or keeps it for operators. */
  async function record(cb: Callback, report: GatewayReport): Promise<CallbackResult> {
    let known = true;
    let result: CallbackResult = 'ok';
    if (cb.type === 2) {
      const res = await applyGatewayReport(
        {
          store: deps.store,
          logger: deps.logger,
          ...(deps.onContradiction ? { onContradiction: deps.onContradiction } : {}),
          ...(deps.currencies ? { currencies: deps.currencies } : {}),
        },
        cb.external_id,
        report,
        'callback',
      );
      if (res.result === 'unknown_payout') {
        // Not in Redis: archived (the ledger holds it), or truly unknown.
        const archived = deps.archive
          ? await applyArchivedCallback(
              {
                store: deps.store,
                redis: deps.redis,
                archive: deps.archive,
                logger: deps.logger,
                notify: deps.notify ?? false,
                ...(deps.onContradiction ? { onContradiction: deps.onContradiction } : {}),
                ...(deps.currencies ? { currencies: deps.currencies } : {}),
              },
              cb.external_id,
              report,
            )
          : 'not_archived';
        if (archived === 'not_archived') known = false;
        else result = archived === 'contradiction' ? 'contradiction' : 'unchanged';
      } else if (res.result === 'contradiction') result = 'contradiction';
      else if (res.result === 'unchanged') result = 'unchanged';
    } else if (cb.type === 1 && deps.onDepositReport) {
      const res = await deps.onDepositReport(cb.external_id, report);
      if (res === 'unknown_deposit') known = false;
      else if (res === 'contradiction') result = 'contradiction';
      else if (res === 'unchanged') result = 'unchanged';
    } else {
      known = false; // refunds, and deposits when deposits are not served: kept for operators
    }
    if (!known) {
      result = 'unknown_id';
      const entry = JSON.stringify({ received_at: new Date().toISOString(), ...cb });
      await deps.redis
        .multi()
        .lpush(unknownKey, entry)
        .ltrim(unknownKey, 0, UNKNOWN_CALLBACKS_KEPT - 1)
        .exec();
      deps.logger.warn(
        { external_id: cb.external_id, type: cb.type, status: cb.status },
        'callback for an unknown external_id kept for operators',
      );
    }
    return result;
  }

  app.post('/v1/callbacks/gateway', { schema: CALLBACK_DOC }, async (request, reply) => {
    const body = request.body;
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
    if (!parsed.success) {
      deps.onResult?.('invalid');
      // Signed, so from the gateway: an operator must see it, since the gateway repeats it for a day.
      deps.logger.warn(
        {
          external_id: typeof params.external_id === 'string' ? params.external_id.slice(0, 255) : undefined,
          fields: parsed.error.issues.map((i) => i.path.join('.')),
        },
        'a signed callback the schema refuses: answered 400',
      );
      return sendError(
        reply,
        400,
        'invalid_callback',
        'the callback is malformed',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const cb = parsed.data;
    const report: GatewayReport = {
      status: cb.status as GatewayReport['status'],
      orderId: cb.order_id,
      reasonCode: cb.reason_code,
      reason: cb.reason,
      // What the callback says of the order itself: checked against the record, never written.
      payout: { amount: cb.amount, currency: cb.currency, customerId: cb.customer_id },
    };

    // `{"result":"ok"}` stops the gateway repeating it: only once what it said would survive a
    // fail-over (REDIS_DURABILITY). Otherwise a 503, and its repetition finds it recorded.
    const { result, durable } = await deps.store.durability.durably(() => record(cb, report));
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
  });
}

/** Callbacks that named no payout or deposit we know, newest first. */
export async function listUnknownCallbacks(
  redis: Redis,
  store: PayoutStore,
  limit = 100,
): Promise<unknown[]> {
  const raw = await redis.lrange(`${store.keys.base}:callbacks:unknown`, 0, limit - 1);
  return raw.map((l) => JSON.parse(l));
}
