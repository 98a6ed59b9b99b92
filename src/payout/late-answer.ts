import type { GatewayReport, ReportDeps } from './gateway-report.js';
import type { HistoryExtras } from './history.js';
import type { PayoutState } from './states.js';
import type { PayoutStore } from './store.js';

/**
 * A worker's answer (or the end of its attempt) that came after its payout had moved on: written to
 * the history, never applied.
 */

const SETTLED_BY_ITS_ORDER: ReadonlySet<PayoutState> = new Set(['submitted', 'succeeded', 'failed']);

/**
 * Whether a payout is where its gateway order's own reports (a callback, a poll) take it: a worker's
 * answer that comes after it is the usual race, not news for an operator.
 */
export const settledByItsOrder = (current: PayoutState): boolean => SETTLED_BY_ITS_ORDER.has(current);

/**
 * Writes to the history what a worker learnt after its payout had moved on (`said`: the gateway's
 * answer, or how the attempt ended), without applying it. Every such entry's reason begins
 * `answer_after_payout_moved_on`, which the README tells operators to look for.
 */
export async function noteAfterMovedOn(
  store: PayoutStore,
  externalId: string,
  late: { said: string; current: PayoutState; extras?: HistoryExtras },
): Promise<void> {
  await store.note(externalId, {
    event: 'gateway_report',
    actor: 'worker',
    ...late.extras,
    reason: `answer_after_payout_moved_on: ${late.said} when the payout was already ${late.current}`,
  });
}

/** Writes a worker's answer that came after the payout moved on to its history, and logs it. */
export async function noteLateAnswer(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  said: string,
  current: PayoutState,
  overtaken: boolean,
): Promise<void> {
  await noteAfterMovedOn(deps.store, externalId, {
    said: `gateway answered ${said}`,
    current,
    extras: {
      gateway_status: report.status,
      ...(report.orderId !== undefined ? { order_id: report.orderId } : {}),
      ...(report.reasonCode !== undefined ? { reason_code: report.reasonCode } : {}),
    },
  });
  const fields = {
    external_id: externalId,
    current,
    gateway_status: report.status,
    order_id: report.orderId,
  };
  if (overtaken)
    deps.logger.info(
      fields,
      "the gateway's report of this order came before the worker's answer: the answer is in its history",
    );
  else
    deps.logger.warn(
      fields,
      'a gateway answer came after the payout moved on: recorded in its history, not applied',
    );
}
