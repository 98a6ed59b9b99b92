import { describeType, type GatewayAnswer, type GatewayOutcome, type GatewayTypeCode } from './outcome.js';
import { safeText } from './schemas.js';

/**
 * Whether a 2xx answer is about what was asked for. Deposits and payouts share the external_id (the
 * merchant's order id), and a gateway may replay the first answer of a repeated external_id: a
 * deposit's answer to a payout request is not that payout's acceptance.
 */

/**
 * What the answer must match, when the caller knows. A field the answer leaves out is not held
 * against it, as before: the pages say answers carry type and external_id, and an answer without
 * them cannot be told from ours here.
 */
export interface Expected {
  external_id?: string | undefined;
  order_id?: string | undefined;
  /** The type of the transaction the request creates (2 for a payout, 1 for a deposit). */
  type?: GatewayTypeCode | undefined;
}

/**
 * Undefined when the answer is about what was asked for; otherwise what it is: `unknown` for a status
 * answer about another order (polled again later), `other_transaction` naming what came back for an
 * answer about another external_id or type.
 */
export function mismatchOf(
  httpStatus: number,
  answer: GatewayAnswer,
  expected: Expected,
): GatewayOutcome | undefined {
  const { type, external_id: externalId, order_id: orderId } = answer;
  if (expected.order_id !== undefined && orderId !== expected.order_id) {
    return {
      kind: 'unknown',
      httpStatus,
      code: 'mismatched_answer',
      message: 'gateway answered about another order',
    };
  }
  const otherId =
    expected.external_id !== undefined && externalId !== undefined && externalId !== expected.external_id
      ? externalId
      : undefined;
  const otherType = expected.type !== undefined && type !== undefined && type !== expected.type;
  if (otherId === undefined && !otherType) return undefined;
  const named = [
    ...(otherId !== undefined ? [`external_id ${safeText(otherId)}`] : []),
    ...(type !== undefined ? [describeType(type)] : []),
    `order ${orderId}`,
  ];
  return {
    kind: 'other_transaction',
    httpStatus,
    code: otherId !== undefined ? 'gateway_answered_other_external_id' : 'gateway_answered_other_type',
    message: named.join(', '),
  };
}
