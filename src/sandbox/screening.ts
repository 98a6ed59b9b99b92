import type { FastifyRequest } from 'fastify';
import type { Currencies } from '../currency/index.js';
import { canonicalString, verify } from '../gateway/signature.js';
import type { Direction } from '../methods/index.js';
import { digest, errorBody, isObject } from './answers.js';
import type { createFaults } from './faults.js';
import { validateGatewayBody } from './infer-method.js';
import { parseScenario, type Scenario } from './markers.js';
import type { Entry } from './orders.js';

/**
 * What a payout or deposit request meets before an order is made of it: the gateway's checks in its
 * order (key, body, signature, validation), then the faults and the markers asked for, then a
 * repeated external_id.
 */

type ValidGatewayBody = Extract<ReturnType<typeof validateGatewayBody>, { ok: true }>;

/** What the checks need of the sandbox. */
export interface ScreeningDeps {
  keyOk: (request: FastifyRequest) => boolean;
  salt: string;
  currencies: Currencies | undefined;
  duplicates: 'replay' | 'refuse';
  faults: ReturnType<typeof createFaults>;
}

/** An answer given without a new order, or the request to make an order of. */
export type Screened =
  | { early: { status: number; body: unknown; headers?: Record<string, string> } }
  | { early: undefined; checked: ValidGatewayBody; scenario: Scenario };

const retryAfter = (seconds: number) => ({ 'Retry-After': String(seconds) });

const answered = (status: number, payload: unknown, headers?: Record<string, string>): Screened => ({
  early: { status, body: payload, ...(headers ? { headers } : {}) },
});

/**
 * The gateway's checks in its order (key, body, signature, validation), then the faults and the
 * markers asked for, then a repeated external_id: the answer given without a new order (a refusal,
 * or the first answer replayed), or the request to make an order of.
 */
export function screen(
  deps: ScreeningDeps,
  request: FastifyRequest,
  direction: Direction,
  entry: Entry | undefined,
): Screened {
  const body = request.body;
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
