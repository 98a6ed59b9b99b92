import { type Currencies, showAmount } from '../currency/index.js';
import {
  describeType,
  type GatewayStatusCode,
  GatewayType,
  type StatusMeaning,
  statusMeaning,
} from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { noteLateAnswer, settledByItsOrder } from './late-answer.js';
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
   * The transaction type the gateway named (callbacks and status polls; SPEC.md: 1 deposit, 2
   * payout, 3 refund). Another than the payout's is a report about another transaction under the
   * shared external_id: a contradiction, never applied. Absent, nothing is held against it.
   */
  type?: number | undefined;
  /**
   * A callback's own account of the payout (or deposit) it names, checked against the record before
   * anything is applied; with it, the report's order_id is checked against the recorded one too.
   * Never written.
   */
  payout?: ReportedPayout | undefined;
}

/** The fields of a callback (or a status answer, where it has them) that describe the payout itself. */
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

/** Whether a report names a transaction type other than `own`'s (absent: nothing to hold against it). */
export const otherType = (report: GatewayReport, own: number): boolean =>
  report.type !== undefined && report.type !== own;

/** What a report said, as its history entry and log line read it: `status 4 (order X)`, with any other type. */
function saidOf(report: GatewayReport): string {
  const order = report.orderId !== undefined ? ` (order ${report.orderId})` : '';
  const type = otherType(report, GatewayType.PAYOUT) ? ` of ${describeType(report.type!)}` : '';
  return `status ${report.status}${order}${type}`;
}

/** A report's differences from what it is about, as a contradiction's reason reads them. */
const aboutAnother = (said: string, differ: string[]) =>
  `gateway reported ${said} for another ${differ.includes('type') ? 'transaction' : 'payout'} under this external_id: ${differ.join(', ')} differ`;

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
  const said = saidOf(report);
  const differ = differences(
    {
      type: GatewayType.PAYOUT,
      amount: String(archived.amount),
      currency: archived.currency,
      customerId: archived.customerId,
      orderId: archived.orderId ?? undefined,
    },
    report,
  );
  if (differ.length > 0) return aboutAnother(said, differ);
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
  const said = saidOf(report);
  // Only what can differ from the record is read against it: a callback's account of the payout,
  // or a report of another transaction type. A worker's own answer was classified already.
  if (report.payout || otherType(report, GatewayType.PAYOUT)) {
    const refused = await checkClaimedPayout(deps, externalId, report, actor, said);
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
 * A report's account of the payout (its type, a callback's amount, currency, customer and order),
 * checked against the record before anything is applied: the result when the payout is unknown or
 * the report describes another transaction, undefined otherwise.
 */
async function checkClaimedPayout(
  deps: ReportDeps,
  externalId: string,
  report: GatewayReport,
  actor: Actor,
  said: string,
): Promise<ReportResult | undefined> {
  const record = await deps.store.get(externalId);
  if (!record) return { result: 'unknown_payout' };
  const differ = differences(
    {
      type: GatewayType.PAYOUT,
      amount: String(record.amount),
      currency: record.currency,
      customerId: record.customer.customer_id,
      orderId: record.orderId,
    },
    report,
  );
  if (differ.length === 0) return undefined;
  const reason = aboutAnother(said, differ);
  // The reconciler polls the same order every run: what it raised once is not raised again.
  if (actor === 'reconciler' && (await raisedBefore(deps, externalId, reason)))
    return { result: 'contradiction', current: record.status };
  const reported = shownReported(report.payout ?? {}, record.currency, deps.currencies);
  return raise(deps, externalId, report, actor, record.status, reason, {
    amount: showAmount(record.amount, record.currency, deps.currencies),
    ...(reported !== undefined ? { reported_amount: reported } : {}),
  });
}

/** Whether the payout's history already holds this contradiction. */
async function raisedBefore(deps: ReportDeps, externalId: string, reason: string): Promise<boolean> {
  const history = await deps.store.history(externalId);
  return history.some((entry) => entry.contradiction === true && entry.reason === reason);
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
