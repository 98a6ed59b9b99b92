import type { Job } from 'bullmq';
import { applyGatewayReport, SECOND_ORDER } from '../payout/gateway-report.js';
import { noteAfterMovedOn, settledByItsOrder } from '../payout/late-answer.js';
import type { PayoutState } from '../payout/states.js';
import type { PayoutJobData } from '../queues.js';
import type { Decision } from './decide.js';
import type { PayoutWorkerDeps } from './payout-worker.js';
import { recordAnswer } from './record-answer.js';

type DelayJob = (job: Job<PayoutJobData>, token: string | undefined, at: number) => Promise<never>;

/** The job, payout and claim a decision is about: the claim's token, and its attempt's number. */
export interface Attempt {
  job: Job<PayoutJobData>;
  bullToken: string | undefined;
  externalId: string;
  token: string;
  attempt: number;
}

/** One decision being applied: the worker's deps and the attempt it is about. */
interface Applying extends Attempt {
  deps: PayoutWorkerDeps;
  delayJob: DelayJob;
  durationMs: number;
}

/** Writes what the gateway's answer decided for a payout, and says whether its job ends or waits. */
export function createDecisionApplier(deps: PayoutWorkerDeps, delayJob: DelayJob) {
  /** Records a decision; the only place that chooses between finishing a job and delaying it. */
  async function apply(attempt: Attempt, decision: Decision, durationMs: number): Promise<string> {
    const a: Applying = { ...attempt, deps, delayJob, durationMs };
    switch (decision.action) {
      case 'report':
        return applyReport(a, decision);
      case 'retry':
        return applyRetry(a, decision);
      case 'give_up':
      case 'reject':
      case 'review':
        return applyEnd(a, decision);
      default: {
        const never: never = decision;
        throw new Error(`unhandled decision ${JSON.stringify(never)}`);
      }
    }
  }

  return apply;
}

async function applyReport(a: Applying, decision: Extract<Decision, { action: 'report' }>): Promise<string> {
  const { deps, externalId, token, durationMs } = a;
  const { status, orderId } = decision.report;
  const res = await recordAnswer(
    deps,
    externalId,
    token,
    () => applyGatewayReport(deps, externalId, decision.report, 'worker', durationMs),
    { decision: 'report', gateway_status: status, order_id: orderId },
  );
  if ('left' in res) return `report_unconfirmed_${res.left}`;
  const written = res.written;
  // This attempt made a second order, and the payout still waits on it: an operator decides.
  if (
    written.result === 'contradiction' &&
    written.otherOrder !== undefined &&
    written.current === 'sending'
  ) {
    await deps.store.transition(externalId, 'review', {
      actor: 'worker',
      token,
      reason: `${SECOND_ORDER}: the gateway answered order ${orderId}, order ${written.otherOrder} is recorded`,
      durationMs,
    });
    return 'report_second_order';
  }
  return `report_${written.result}`;
}

async function applyRetry(a: Applying, decision: Extract<Decision, { action: 'retry' }>): Promise<string> {
  const { deps, externalId, token, durationMs, job, bullToken, delayJob } = a;
  const res = await recordAnswer(
    deps,
    externalId,
    token,
    () =>
      deps.store.transition(externalId, 'retry', {
        actor: 'worker',
        token,
        reason: decision.reason,
        nextAttemptAt: decision.at,
        mayHaveReached: decision.mayHaveReached,
        durationMs,
      }),
    { decision: 'retry', reason: decision.reason },
  );
  if ('left' in res) {
    // Most likely the lost try itself: the job still waits for the next attempt (its claim
    // checks the state and the due time again, so an extra wait is harmless).
    if (res.left === 'retry_scheduled') return delayJob(job, bullToken, decision.at);
    return `retry_unconfirmed_${res.left}`;
  }
  // Refused because it is already retry_scheduled: a lost try that Redis ran twice; still wait.
  if (!res.written.ok && res.written.current === 'retry_scheduled')
    return delayJob(job, bullToken, decision.at);
  if (!res.written.ok) return noteRefused(a, decision, res.written.current);
  return delayJob(job, bullToken, decision.at);
}

/** give_up, reject and review: the payout's attempt ends in that state. */
async function applyEnd(
  a: Applying,
  decision: Extract<Decision, { action: 'give_up' | 'reject' | 'review' }>,
): Promise<string> {
  const { deps, externalId, token, durationMs } = a;
  const res = await recordAnswer(
    deps,
    externalId,
    token,
    () =>
      deps.store.transition(externalId, decision.action, {
        actor: 'worker',
        token,
        reason: decision.reason,
        durationMs,
      }),
    { decision: decision.action, reason: decision.reason },
  );
  if ('left' in res) return `${decision.action}_unconfirmed_${res.left}`;
  return res.written.ok ? decision.action : noteRefused(a, decision, res.written.current);
}

/**
 * A decision refused because the payout moved on while this worker waited for the gateway (most often
 * a second delivery took it for lost). What the attempt learnt is written to the history, not applied,
 * as a late gateway answer is: "not sent" in particular tells the operator resolving a review that
 * sending this attempt again is safe. Not for a payout `sending` under a newer claim (a note would
 * stretch that holder's send window; its own answer settles it), nor when the payout already says
 * what this attempt decided (the worker's own write, run twice after a lost reply).
 */
async function noteRefused(
  a: Applying,
  decision: Extract<Decision, { action: 'retry' | 'give_up' | 'reject' | 'review' }>,
  current: PayoutState | undefined,
): Promise<string> {
  const { deps, externalId, attempt } = a;
  const refused = `${decision.action}_refused_${current}`;
  if (current === undefined || current === 'sending') return refused;
  try {
    const last = (await deps.store.history(externalId)).at(-1);
    if (last?.actor === 'worker' && last.event === decision.action && last.reason === decision.reason)
      return refused;
    const ended = `${decision.action} (${decision.reason})`;
    await noteAfterMovedOn(deps.store, externalId, { said: `attempt ${attempt} ended ${ended}`, current });
    deps.logger[settledByItsOrder(current) ? 'info' : 'warn'](
      { external_id: externalId, attempt, current, decision: decision.action, reason: decision.reason },
      "a worker's attempt ended after the payout moved on: recorded in its history, not applied",
    );
  } catch (err) {
    // The decision is settled either way; the note only tells more.
    deps.logger.warn(
      { external_id: externalId, err },
      "a worker's late attempt could not be noted in its history",
    );
  }
  return refused;
}
