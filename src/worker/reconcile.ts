import { ORDER_NOT_FOUND } from '../gateway/classify.js';
import { type GatewayAnswer, type GatewayOutcome, statusMeaning } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { applyGatewayReport, type GatewayReport } from '../payout/gateway-report.js';
import type { PayoutStore } from '../payout/store.js';

/** What the reconciler needs of the gateway client. */
export interface StatusPoller {
  status(orderId: string): Promise<GatewayOutcome>;
}

export interface ReconcileOptions {
  /** A submitted payout without a final status this long is polled. */
  afterMs: number;
  /** A submitted payout this old is moved to needs_review so operators see it; never to failed. */
  reviewDeadlineMs: number;
  /** Polls per run, for each of the two lists. @defaultValue 500 */
  pollsPerRun?: number;
}

/** Why a submitted payout that waited past REVIEW_DEADLINE_MS is in needs_review. */
const OVERDUE = 'no_final_status_within_deadline';

/** Payouts polled per run at most, so one run stays short; the rest wait for the next run. */
const POLLS_PER_RUN = 500;
/**
 * needs_review payouts read per run at most while looking for ones to poll: those without an order_id
 * (an answer lost in flight) wait for an operator, and must not hide the pollable ones behind them.
 */
const REVIEW_READS_PER_RUN = 20 * POLLS_PER_RUN;

type ReconcileDeps = {
  store: PayoutStore;
  gateway: StatusPoller;
  logger: Logger;
  onContradiction?: (id: string) => void;
};

/** One reconcile run: its deps and what it has counted so far. */
interface Run {
  deps: ReconcileDeps;
  counts: { polled: number; applied: number; overdue: number };
}

/**
 * Asks the gateway about payouts whose final status has not come: submitted ones older than
 * `afterMs`, and needs_review ones that have an order_id. The answer is applied like a callback.
 * Nothing is ever written off as failed because time passed.
 */
export async function reconcile(
  deps: ReconcileDeps,
  opts: ReconcileOptions,
  now = Date.now(),
): Promise<{ polled: number; applied: number; overdue: number }> {
  const pollsPerRun = opts.pollsPerRun ?? POLLS_PER_RUN;
  const run: Run = { deps, counts: { polled: 0, applied: 0, overdue: 0 } };
  await reconcileSubmitted(run, opts, pollsPerRun, now);
  await reconcileReview(run, pollsPerRun);
  const { polled, applied, overdue } = run.counts;
  return { polled, applied, overdue };
}

/** Polls the gateway about one payout: `no_order` when it has none to ask about, `moved` when applied. */
async function poll(run: Run, externalId: string): Promise<'no_order' | 'moved' | 'stayed'> {
  const { deps } = run;
  const record = await deps.store.get(externalId);
  if (!record?.orderId) return 'no_order';
  run.counts.polled++;
  const outcome = await deps.gateway.status(record.orderId);
  if (outcome.kind === 'accepted' || outcome.kind === 'final' || outcome.kind === 'unknown_status') {
    const a = outcome.answer;
    // Overdue and still pending: it stays in review (back in submitted it would only time out again).
    if (record.reason === OVERDUE && statusMeaning(a.status) === 'pending') return 'stayed';
    const res = await applyGatewayReport(deps, externalId, pollReport(a), 'reconciler');
    if (res.result === 'applied') {
      run.counts.applied++;
      return 'moved';
    }
  } else if (outcome.kind === 'rejected' && outcome.code === ORDER_NOT_FOUND) {
    // An order_id we were given and the gateway denies: the operator must ask the gateway about it.
    deps.logger.warn(
      { external_id: externalId, order_id: record.orderId, outcome: outcome.kind, code: outcome.code },
      'status poll: the gateway does not know this order; will poll again',
    );
  } else {
    deps.logger.info(
      { external_id: externalId, outcome: outcome.kind, reason: outcome.message },
      `status poll gave no status (${outcome.message}); will poll again`,
    );
  }
  return 'stayed';
}

/**
 * A status answer as a report: its type, and its amount and currency where it carries them, are
 * checked against the payout like a callback's (another transaction's status is never applied).
 */
function pollReport(a: GatewayAnswer): GatewayReport {
  const claimed = a.amount !== undefined || a.currency !== undefined;
  return {
    status: a.status,
    orderId: a.order_id,
    reasonCode: a.reason_code,
    reason: a.reason,
    type: a.type,
    ...(claimed ? { payout: { amount: a.amount, currency: a.currency } } : {}),
  };
}

/** Submitted payouts older than `afterMs`; those past the review deadline move to needs_review. */
async function reconcileSubmitted(run: Run, opts: ReconcileOptions, pollsPerRun: number, now: number) {
  const { deps } = run;
  for (const { externalId, since } of await deps.store.list('submitted', {
    before: now - opts.afterMs,
    limit: pollsPerRun,
  })) {
    await poll(run, externalId);
    if (since < now - opts.reviewDeadlineMs && (await deps.store.get(externalId))?.status === 'submitted') {
      const moved = await deps.store.transition(externalId, 'gateway_unknown', {
        actor: 'reconciler',
        reason: OVERDUE,
      });
      if (moved.ok) run.counts.overdue++;
    }
  }
}

/**
 * needs_review payouts, oldest first, page by page, past those that have no order to ask about. A
 * payout the poll moved has left the index, so the next page starts that much earlier.
 */
async function reconcileReview(run: Run, pollsPerRun: number) {
  let reviewPolls = 0;
  let offset = 0;
  for (let read = 0; reviewPolls < pollsPerRun && read < Math.max(REVIEW_READS_PER_RUN, pollsPerRun); ) {
    const page = await run.deps.store.list('needs_review', { offset, limit: pollsPerRun });
    for (const { externalId } of page) {
      if (reviewPolls >= pollsPerRun) break;
      read++;
      const result = await poll(run, externalId);
      if (result !== 'no_order') reviewPolls++;
      if (result !== 'moved') offset++;
    }
    if (page.length < pollsPerRun) break;
  }
}
