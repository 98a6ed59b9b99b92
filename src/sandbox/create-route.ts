import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Currencies } from '../currency/index.js';
import { canonicalString, verify } from '../gateway/signature.js';
import type { Logger } from '../logger.js';
import type { Direction } from '../methods/index.js';
import { digest, errorBody, isObject } from './answers.js';
import type { createFaults } from './faults.js';
import { validateGatewayBody } from './infer-method.js';
import { parseScenario, type Scenario } from './markers.js';
import { createOrder } from './new-order.js';
import type { Entry, OrderBook } from './orders.js';
import type { Settling } from './settling.js';
import type { Timers } from './timers.js';

type ValidGatewayBody = Extract<ReturnType<typeof validateGatewayBody>, { ok: true }>;

/** An early callback's first attempt holds the HTTP answer back at most this long. */
const EARLY_CALLBACK_WAIT_MS = 5_000;

/**
 * The payout and deposit endpoints: the checks in the gateway's order (key, body, signature,
 * validation), then the faults and markers asked for, then one order per external_id (or the first
 * answer replayed, or 409, as `duplicates` says).
 */
export function createOrderHandler(deps: {
  book: OrderBook;
  keyOk: (request: FastifyRequest) => boolean;
  salt: string;
  currencies: Currencies | undefined;
  duplicates: 'replay' | 'refuse';
  faults: ReturnType<typeof createFaults>;
  timers: Timers;
  settling: Settling;
  keep: (externalId: string) => Promise<void>;
  logger: Logger | undefined;
}) {
  const { book, timers, settling, logger } = deps;

  type Screened =
    | { early: { status: number; body: unknown; headers?: Record<string, string> } }
    | { early: undefined; checked: ValidGatewayBody; scenario: Scenario };
  const retryAfter = (seconds: number) => ({ 'Retry-After': String(seconds) });

  /**
   * The gateway's checks in its order (key, body, signature, validation), then the faults and the
   * markers asked for, then a repeated external_id: the answer given without a new order (a refusal,
   * or the first answer replayed), or the request to make an order of.
   */
  function screen(request: FastifyRequest, direction: Direction, entry: Entry | undefined): Screened {
    const body = request.body;
    const answered = (status: number, payload: unknown, headers?: Record<string, string>): Screened => ({
      early: { status, body: payload, ...(headers ? { headers } : {}) },
    });
    if (!deps.keyOk(request))
      return answered(401, errorBody('unauthorized', 'MERCHANT_KEY is missing or wrong'));
    if (!isObject(body)) return answered(400, errorBody('bad_request', 'the body must be a JSON object'));
    if (!verify(body, deps.salt))
      return answered(401, errorBody('invalid_signature', 'the signature does not match'));
    const checked = validateGatewayBody(body, direction, deps.currencies);
    if (!checked.ok) {
      const summary = checked.issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ');
      return answered(422, errorBody('validation_failed', summary, checked.issues));
    }
    const valid = entry!;
    const fingerprint = digest(canonicalString(body)).toString('hex');
    valid.fingerprint ??= fingerprint;
    if (valid.fingerprint !== fingerprint) valid.sameBody = false;

    if (deps.faults.beforeCreate() === '503')
      return answered(503, errorBody('service_unavailable', 'sandbox fault: try again later'), retryAfter(1));
    // A gateway that does not deduplicate external_id (SPEC.md leaves it open) makes another order.
    if (valid.order && !valid.order.scenario.newOrderOnRepeat) {
      return deps.duplicates === 'refuse'
        ? answered(409, errorBody('duplicate_external_id', 'an order with this external_id already exists'))
        : answered(200, valid.order.answer);
    }
    const scenario = parseScenario(checked.request.customer.customer_id);
    const first = scenario.refuseFirst;
    if (first && valid.refusedByMarker < first.count) {
      valid.refusedByMarker += 1;
      return first.httpStatus === 503
        ? answered(
            503,
            errorBody('service_unavailable', 'try again later'),
            retryAfter(scenario.retryAfterSeconds),
          )
        : answered(429, errorBody('too_many_requests', 'slow down'), retryAfter(scenario.retryAfterSeconds));
    }
    return { early: undefined, checked, scenario };
  }

  return async function handleCreate(request: FastifyRequest, reply: FastifyReply, direction: Direction) {
    const body = request.body;
    const externalId = isObject(body) && typeof body.external_id === 'string' ? body.external_id : undefined;
    const entry = externalId === undefined ? undefined : book.entry(externalId);
    if (entry) entry.requests += 1;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      entry?.answers.push(status);
      logger?.debug({ endpoint: direction, external_id: externalId, answer: status }, 'sandbox answered');
      return reply.code(status).headers(headers).send(payload);
    };
    const drop = () => {
      entry?.answers.push('dropped');
      logger?.debug(
        { endpoint: direction, external_id: externalId, answer: 'dropped' },
        'sandbox dropped the connection',
      );
      reply.hijack();
      request.raw.socket.destroy();
    };

    const screened = screen(request, direction, entry);
    if (screened.early) return answer(screened.early.status, screened.early.body, screened.early.headers);
    const { checked, scenario } = screened;
    const valid = entry!;

    const order = createOrder(
      book,
      logger,
      {
        entry: valid,
        direction,
        method: checked.method,
        body: checked.request,
        origin: `${request.protocol}://${request.host}`,
      },
      scenario,
    );
    await deps.keep(order.external_id);
    if (order.scenario.callbacks.early) {
      await Promise.race([settling.early(order), timers.sleep(EARLY_CALLBACK_WAIT_MS)]);
    } else {
      settling.schedule(order);
    }

    if (order.scenario.slowMs > 0 && !(await timers.sleep(order.scenario.slowMs))) return drop();
    const fault =
      order.scenario.afterCreate !== 'answer' ? order.scenario.afterCreate : deps.faults.afterCreate();
    if (fault === 'drop') return drop();
    if (fault === '500')
      return answer(500, errorBody('internal_error', 'the order was created, then something failed'));
    return answer(200, order.answer);
  };
}
