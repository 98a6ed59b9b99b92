import { type GatewayStatusCode, type StatusMeaning, statusMeaning } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { type Actor, NOT_SENT, type PayoutEvent, type PayoutState } from './states.js';
import type { PayoutStore } from './store.js';

/** What the gateway said about a payout: from its HTTP answer, a callback or a status poll. */
export interface GatewayReport {
  status: GatewayStatusCode;
  orderId?: string | undefined;
  reasonCode?: string | undefined;
  reason?: string | undefined;
}

const EVENT_FOR = {
  pending: 'gateway_pending',
  success: 'gateway_success',
  failure: 'gateway_failure',
  unknown: 'gateway_unknown',
} as const satisfies Record<StatusMeaning, PayoutEvent>;

/** The payout event a gateway status code means. */
export const eventForStatus = (status: GatewayStatusCode) => EVENT_FOR[statusMeaning(status)];

export type ReportResult =
  /** The payout moved. */
  | { result: 'applied'; from: PayoutState; to: PayoutState }
  /** Nothing new: the payout already reflects it, or it is an older, out-of-order report. */
  | { result: 'unchanged'; current: PayoutState }
  /** The report contradicts a terminal state: recorded in the history and raised, never applied. */
  | { result: 'contradiction'; current: PayoutState }
  | { result: 'unknown_payout' };

/**
 * A report contradicts a terminal state when it claims a different final result (DECLINE after
 * SUCCESS), or when the gateway has an order for a payout we never sent (cancelled, rejected, or
 * failed as `not_sent`). `reason` is the payout's, read only for a failed one.
 */
function contradicts(current: PayoutState, event: PayoutEvent, reason: string | undefined): boolean {
  switch (current) {
    case 'succeeded':
      return event === 'gateway_failure';
    case 'failed':
      return event === 'gateway_success' || reason === NOT_SENT;
    case 'cancelled':
    case 'rejected':
      return true;
    default:
      return false;
  }
}

/** Applies a gateway report through the state machine; the one path for answers, callbacks and polls. */
export async function applyGatewayReport(
  deps: { store: PayoutStore; logger: Logger; onContradiction?: (externalId: string) => void },
  externalId: string,
  report: GatewayReport,
  actor: Actor,
  durationMs?: number,
): Promise<ReportResult> {
  const event = eventForStatus(report.status);
  const moved = await deps.store.transition(externalId, event, {
    actor,
    gatewayStatus: report.status,
    orderId: report.orderId,
    reasonCode: report.reasonCode,
    // An empty reason from the gateway says nothing; status 7 still gets a reason operators can read.
    reason: report.reason || (report.status === 7 ? 'gateway_status_unknown' : undefined),
    durationMs,
  });
  if (moved.ok) return { result: 'applied', from: moved.from, to: moved.to };
  if (moved.current === undefined) return { result: 'unknown_payout' };
  const reason = moved.current === 'failed' ? (await deps.store.get(externalId))?.reason : undefined;
  if (!contradicts(moved.current, event, reason)) return { result: 'unchanged', current: moved.current };

  await deps.store.note(externalId, {
    event: 'gateway_report',
    actor,
    contradiction: true,
    gateway_status: report.status,
    ...(report.orderId !== undefined ? { order_id: report.orderId } : {}),
    ...(report.reasonCode !== undefined ? { reason_code: report.reasonCode } : {}),
    reason: `gateway reported status ${report.status} for a payout that is ${moved.current}`,
  });
  deps.logger.error(
    { external_id: externalId, current: moved.current, gateway_status: report.status, actor },
    'CONTRADICTION: the gateway reports a result that contradicts a terminal payout; recorded, not applied',
  );
  deps.onContradiction?.(externalId);
  return { result: 'contradiction', current: moved.current };
}
