import { type Currencies, showAmount } from '../currency/index.js';
import type { GatewayReport, ReportDeps, ReportedPayout, ReportResult } from './gateway-report.js';
import { type Actor, NOT_SENT, type PayoutEvent, type PayoutState, RESOLVED_BY_OPERATOR } from './states.js';

/**
 * A callback's amount as operators read it beside the recorded one. It is the gateway's text, so it is
 * shown in major units only when it is a plain integer.
 */
export function shownReported(claimed: ReportedPayout, fallbackCurrency: string, currencies?: Currencies) {
  if (claimed.amount === undefined) return undefined;
  const currency = claimed.currency?.toUpperCase() ?? fallbackCurrency;
  const amount = Number(claimed.amount);
  if (!/^\d+$/.test(claimed.amount) || !Number.isSafeInteger(amount)) return `${claimed.amount} ${currency}`;
  return showAmount(amount, currency, currencies);
}

/**
 * A report contradicts a terminal state when it claims a different final result (DECLINE after
 * SUCCESS), when the gateway has an order for a payout we never sent (cancelled, rejected, or
 * failed as `not_sent`), or when it says "still processing" about a payout an operator resolved as
 * failed: the casino may have returned the funds while the gateway may yet pay. A pending report
 * after the gateway's own final result is only a late one, and an unknown (7) one says nothing new.
 * `reason` is the payout's, read only for a failed one.
 */
export function contradicts(current: PayoutState, event: PayoutEvent, reason: string | undefined): boolean {
  switch (current) {
    case 'succeeded':
      return event === 'gateway_failure';
    case 'failed':
      return (
        event === 'gateway_success' ||
        reason === NOT_SENT ||
        (event === 'gateway_pending' && (reason?.startsWith(RESOLVED_BY_OPERATOR) ?? false))
      );
    case 'cancelled':
    case 'rejected':
      return true;
    default:
      return false;
  }
}

/**
 * The fields in which a report describes another transaction than the one recorded (`own`, with its
 * gateway type): another type (a deposit's report under a payout's external_id), amount, currency,
 * customer or order. Any is a contradiction. A field is compared only where both sides have it;
 * currency ignores case.
 */
export function differences(
  own: {
    type: number;
    amount: string;
    currency: string;
    customerId?: string | undefined;
    orderId?: string | undefined;
  },
  report: GatewayReport,
): string[] {
  const claimed = report.payout ?? {};
  const differ = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a !== b;
  const out: string[] = [];
  if (report.type !== undefined && report.type !== own.type) out.push('type');
  if (differ(claimed.amount, own.amount)) out.push('amount');
  if (differ(claimed.currency?.toUpperCase(), own.currency.toUpperCase())) out.push('currency');
  if (differ(claimed.customerId, own.customerId)) out.push('customer_id');
  if (differ(report.orderId, own.orderId)) out.push('order_id');
  return out;
}

/** Records a contradiction in the payout's history, logs and raises it; the payout does not move. */
export async function raise(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  actor: Actor,
  current: PayoutState,
  reason: string,
  /** The recorded and the reported amount, as operators read them, where they are known. */
  amounts: { amount?: string; reported_amount?: string } = {},
): Promise<Extract<ReportResult, { result: 'contradiction' }>> {
  await deps.store.note(externalId, {
    event: 'gateway_report',
    actor,
    contradiction: true,
    gateway_status: report.status,
    ...(report.orderId !== undefined ? { order_id: report.orderId } : {}),
    ...(report.reasonCode !== undefined ? { reason_code: report.reasonCode } : {}),
    reason,
  });
  deps.logger.error(
    { external_id: externalId, current, gateway_status: report.status, actor, reason, ...amounts },
    'CONTRADICTION: the gateway reports something the payout contradicts; recorded, not applied',
  );
  deps.onContradiction?.(externalId);
  return { result: 'contradiction', current };
}
