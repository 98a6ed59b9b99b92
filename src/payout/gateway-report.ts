import { type Currencies, showAmount } from '../currency/index.js';
import { type GatewayStatusCode, type StatusMeaning, statusMeaning } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { type Actor, NOT_SENT, type PayoutEvent, type PayoutState, RESOLVED_BY_OPERATOR } from './states.js';
import type { PayoutStore } from './store.js';

/** What the gateway said about a payout: from its HTTP answer, a callback or a status poll. */
export interface GatewayReport {
  status: GatewayStatusCode;
  orderId?: string | undefined;
  reasonCode?: string | undefined;
  reason?: string | undefined;
  /**
   * A callback's own account of the payout (or deposit) it names, checked against the record before
   * anything is applied; with it, the report's order_id is checked against the recorded one too.
   * Never written.
   */
  payout?: ReportedPayout | undefined;
}

/** The fields of a callback that describe the payout itself (SPEC.md "Callbacks"). */
export interface ReportedPayout {
  amount?: string | undefined;
  currency?: string | undefined;
  customerId?: string | undefined;
}

const EVENT_FOR = {
  pending: 'gateway_pending',
  success: 'gateway_success',
  failure: 'gateway_failure',
  unknown: 'gateway_unknown',
} as const satisfies Record<StatusMeaning, PayoutEvent>;

export interface ReportDeps {
  store: PayoutStore;
  logger: Logger;
  onContradiction?: (externalId: string) => void;
  /** How amounts are shown in a contradiction's log line. @defaultValue the rules of unset settings */
  currencies?: Currencies;
}

/**
 * A callback's amount as operators read it beside the recorded one. It is the gateway's text, so it is
 * shown in major units only when it is a plain integer.
 */
function shownReported(claimed: ReportedPayout, fallbackCurrency: string, currencies?: Currencies) {
  if (claimed.amount === undefined) return undefined;
  const currency = claimed.currency?.toUpperCase() ?? fallbackCurrency;
  const amount = Number(claimed.amount);
  if (!/^\d+$/.test(claimed.amount) || !Number.isSafeInteger(amount)) return `${claimed.amount} ${currency}`;
  return showAmount(amount, currency, currencies);
}

/** The payout event a gateway status code means. */
export const eventForStatus = (status: GatewayStatusCode) => EVENT_FOR[statusMeaning(status)];

/** How the reason of a report naming another order than the recorded one begins. */
export const SECOND_ORDER = 'second_order';

export type ReportResult =
  /** The payout moved. */
  | { result: 'applied'; from: PayoutState; to: PayoutState }
  /** Nothing new: the payout already reflects it, or it is an older, out-of-order report. */
  | { result: 'unchanged'; current: PayoutState }
  /**
   * The report contradicts the payout: recorded in the history and raised, never applied. With
   * `otherOrder`, it named another gateway order than the one the payout holds (that one).
   */
  | { result: 'contradiction'; current: PayoutState; otherOrder?: string }
  /** A worker's answer that came after the payout had moved on: recorded in the history, not applied. */
  | { result: 'late'; current: PayoutState }
  | { result: 'unknown_payout' };

/**
 * A report contradicts a terminal state when it claims a different final result (DECLINE after
 * SUCCESS), when the gateway has an order for a payout we never sent (cancelled, rejected, or
 * failed as `not_sent`), or when it says "still processing" about a payout an operator resolved as
 * failed: the casino may have returned the funds while the gateway may yet pay. A pending report
 * after the gateway's own final result is only a late one, and an unknown (7) one says nothing new.
 * `reason` is the payout's, read only for a failed one.
 */
function contradicts(current: PayoutState, event: PayoutEvent, reason: string | undefined): boolean {
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
 * The fields in which a callback describes another payout or deposit than the one recorded (`own`):
 * any is a contradiction. A field is compared only where both sides have it; currency ignores case.
 */
export function differences(
  own: { amount: string; currency: string; customerId?: string | undefined; orderId?: string | undefined },
  report: GatewayReport,
): string[] {
  const claimed = report.payout ?? {};
  const differ = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a !== b;
  const out: string[] = [];
  if (differ(claimed.amount, own.amount)) out.push('amount');
  if (differ(claimed.currency?.toUpperCase(), own.currency.toUpperCase())) out.push('currency');
  if (differ(claimed.customerId, own.customerId)) out.push('customer_id');
  if (differ(report.orderId, own.orderId)) out.push('order_id');
  return out;
}

/** A finished payout as the archive keeps it: what a report about it is checked against. */
export interface ArchivedFacts {
  status: PayoutState;
  reason: string | null;
  amount: number;
  currency: string;
  customerId: string;
  orderId: string | null;
}

/**
 * Why a report about an archived payout (finished, only in the ledger now) contradicts it, by the
 * same rules as for a payout in Redis: it describes another payout, or claims what the final state
 * contradicts. Undefined when it says nothing new; the payout never moves again either way.
 */
export function archivedContradiction(archived: ArchivedFacts, report: GatewayReport): string | undefined {
  const said = `status ${report.status}${report.orderId !== undefined ? ` (order ${report.orderId})` : ''}`;
  const differ = differences(
    {
      amount: String(archived.amount),
      currency: archived.currency,
      customerId: archived.customerId,
      orderId: archived.orderId ?? undefined,
    },
    report,
  );
  if (differ.length > 0)
    return `gateway reported ${said} for another payout under this external_id: ${differ.join(', ')} differ`;
  if (contradicts(archived.status, eventForStatus(report.status), archived.reason ?? undefined))
    return `gateway reported ${said} for a payout that is ${archived.status}`;
  return undefined;
}

/**
 * Applies a gateway report through the state machine; the one path for answers, callbacks and polls.
 *
 * A payout has one gateway order: a report naming another than the recorded one is a contradiction
 * (a second order, possibly a second payment), checked in the same script that would apply it. A
 * worker's answer the table refuses because the payout has moved on is still written to the history
 * with what the gateway said, unless the record already says exactly that.
 */
export async function applyGatewayReport(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  actor: Actor,
  durationMs?: number,
): Promise<ReportResult> {
  const event = eventForStatus(report.status);
  const said = `status ${report.status}${report.orderId !== undefined ? ` (order ${report.orderId})` : ''}`;
  if (report.payout) {
    const record = await deps.store.get(externalId);
    if (!record) return { result: 'unknown_payout' };
    const differ = differences(
      {
        amount: String(record.amount),
        currency: record.currency,
        customerId: record.customer.customer_id,
        orderId: record.orderId,
      },
      report,
    );
    if (differ.length > 0) {
      const reported = shownReported(report.payout, record.currency, deps.currencies);
      return raise(
        deps,
        externalId,
        report,
        actor,
        record.status,
        `gateway reported ${said} for another payout under this external_id: ${differ.join(', ')} differ`,
        {
          amount: showAmount(record.amount, record.currency, deps.currencies),
          ...(reported !== undefined ? { reported_amount: reported } : {}),
        },
      );
    }
  }
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
  if (moved.otherOrder !== undefined) {
    const res = await raise(
      deps,
      externalId,
      report,
      actor,
      moved.current,
      `${SECOND_ORDER}: gateway reported ${said}, but order ${moved.otherOrder} is recorded for this payout: possibly paid twice`,
    );
    return { ...res, otherOrder: moved.otherOrder };
  }
  const record = await deps.store.get(externalId);
  if (contradicts(moved.current, event, record?.reason)) {
    return raise(
      deps,
      externalId,
      report,
      actor,
      moved.current,
      `gateway reported ${said} for a payout that is ${moved.current}`,
    );
  }
  const known =
    record?.gatewayStatus === report.status && (report.orderId ?? record.orderId) === record.orderId;
  if (actor !== 'worker' || known) return { result: 'unchanged', current: moved.current };
  await deps.store.note(externalId, {
    event: 'gateway_report',
    actor,
    gateway_status: report.status,
    ...(report.orderId !== undefined ? { order_id: report.orderId } : {}),
    ...(report.reasonCode !== undefined ? { reason_code: report.reasonCode } : {}),
    reason: `answer_after_payout_moved_on: gateway answered ${said} when the payout was already ${moved.current}`,
  });
  deps.logger.warn(
    {
      external_id: externalId,
      current: moved.current,
      gateway_status: report.status,
      order_id: report.orderId,
    },
    'a gateway answer came after the payout moved on: recorded in its history, not applied',
  );
  return { result: 'late', current: moved.current };
}

/** Records a contradiction in the payout's history, logs and raises it; the payout does not move. */
async function raise(
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
