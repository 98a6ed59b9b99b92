import { type Currencies, showAmount } from '../currency/index.js';
import { type GatewayStatusCode, type StatusMeaning, statusMeaning } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import type { HistoryExtras } from './history.js';
import { contradicts, differences, raise, shownReported } from './report-contradiction.js';
import type { Actor, PayoutEvent, PayoutState } from './states.js';
import type { PayoutStore } from './store.js';

export { differences } from './report-contradiction.js';

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
    const refused = await checkClaimedPayout(deps, externalId, report, report.payout, actor, said);
    if (refused) return refused;
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
  const refusal = { event, said, current: moved.current, otherOrder: moved.otherOrder };
  return applyRefused(deps, externalId, report, actor, refusal);
}

/**
 * A callback's own account of the payout, checked against the record before anything is applied:
 * the result when the payout is unknown or the callback describes another one, undefined otherwise.
 */
async function checkClaimedPayout(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  claimed: ReportedPayout,
  actor: Actor,
  said: string,
): Promise<ReportResult | undefined> {
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
  if (differ.length === 0) return undefined;
  const reported = shownReported(claimed, record.currency, deps.currencies);
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

/** Why the transition table refused a report: what it meant, how it reads, where the payout is. */
interface Refusal {
  event: PayoutEvent;
  said: string;
  current: PayoutState;
  otherOrder?: string | undefined;
}

/**
 * A report the transition table refused: a second order or a contradiction is raised, a worker's
 * answer after the payout moved on is recorded as late, anything else changes nothing.
 */
async function applyRefused(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  actor: Actor,
  { event, said, current, otherOrder }: Refusal,
): Promise<ReportResult> {
  if (otherOrder !== undefined) {
    const res = await raise(
      deps,
      externalId,
      report,
      actor,
      current,
      `${SECOND_ORDER}: gateway reported ${said}, but order ${otherOrder} is recorded for this payout: possibly paid twice`,
    );
    return { ...res, otherOrder };
  }
  const record = await deps.store.get(externalId);
  if (contradicts(current, event, record?.reason)) {
    return raise(
      deps,
      externalId,
      report,
      actor,
      current,
      `gateway reported ${said} for a payout that is ${current}`,
    );
  }
  const known =
    record?.gatewayStatus === report.status && (report.orderId ?? record.orderId) === record.orderId;
  if (actor !== 'worker' || known) return { result: 'unchanged', current };
  // The usual race: the gateway's callback (or a poll) for this very order came before the worker's
  // own "in process" answer was written. Nothing for an operator to look at.
  const overtaken =
    statusMeaning(report.status) === 'pending' &&
    report.orderId !== undefined &&
    report.orderId === record?.orderId &&
    settledByItsOrder(current);
  await noteLateAnswer(deps, externalId, report, said, current, overtaken);
  return { result: 'late', current };
}

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
async function noteLateAnswer(
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
