import type { GatewayOutcome } from '../gateway/outcome.js';
import type { GatewayReport } from '../payout/gateway-report.js';
import { NOT_SENT } from '../payout/states.js';

/**
 * The one place that turns a gateway outcome into what happens to the payout. Nothing else
 * inspects outcome kinds to decide a state.
 */

/**
 * What one attempt tells its payment_system's circuit breaker: `answered` when the gateway gave an
 * answer that settles the attempt (an order, a status, a refusal), `no_answer` when it did not (not
 * sent, 429/503, an unknown outcome). Decided here with the rest, so the breaker never classifies.
 */
export type BreakerSignal = 'answered' | 'no_answer';

export type Decision = DecisionAction & { breaker: BreakerSignal };

export type DecisionAction =
  /** The gateway answered with a status: apply it like any other gateway report. */
  | { action: 'report'; report: GatewayReport }
  /**
   * Send again at `at` (epoch ms): certainly not created, or, with `mayHaveReached` (an unknown
   * outcome resent under RESEND_ON_UNKNOWN), possibly created at a gateway that deduplicates.
   */
  | { action: 'retry'; at: number; reason: string; mayHaveReached?: true }
  /** Every attempt failed to reach the gateway: certainly nothing was created. */
  | { action: 'give_up'; reason: typeof NOT_SENT }
  /** Refused before any money could move. */
  | { action: 'reject'; reason: string }
  /** The outcome is unknown: do not send again; wait for a callback, a poll or an operator. */
  | { action: 'review'; reason: string };

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Resend after an unknown outcome: only for a gateway confirmed to deduplicate external_id. */
  resendOnUnknown: boolean;
}

/** Jitter keeps a crowd of failed payouts from coming back in the same millisecond. */
const JITTER_SHARE = 0.5;

/**
 * Exponential backoff with jitter, for attempt `attempt` (1 = the first, which just failed):
 * base * 2^(attempt-1), capped, minus up to half at random; never sooner than the gateway asked.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  atLeastMs = 0,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (1 - JITTER_SHARE * random());
  return Math.max(Math.round(jittered), atLeastMs);
}

export interface DecisionContext {
  /**
   * An earlier attempt of this payout had an unknown outcome and was resent (`resendOnUnknown`, or
   * an operator's resend): it may have created the payout, so neither running out of attempts nor a
   * refusal of a later one proves that nothing was.
   */
  earlierMayHaveReached?: boolean;
  random?: () => number;
}

/** One decision being made: the attempt's number, the policy, the time and the payout's past. */
interface Deciding {
  attempt: number;
  policy: RetryPolicy;
  now: number;
  context: DecisionContext;
}

const answered = (action: DecisionAction): Decision => ({ ...action, breaker: 'answered' });
const noAnswer = (action: DecisionAction): Decision => ({ ...action, breaker: 'no_answer' });

/** Another attempt after the backoff, or, out of attempts, the end that the payout's past allows. */
function retry(
  { attempt, policy, now, context }: Deciding,
  reason: string,
  { atLeastMs = 0, mayHaveReached = false } = {},
): DecisionAction {
  if (attempt < policy.maxAttempts) {
    const at = now + backoffDelay(policy, attempt, atLeastMs, context.random);
    return mayHaveReached ? { action: 'retry', at, reason, mayHaveReached } : { action: 'retry', at, reason };
  }
  // Out of attempts. `not_sent` tells the casino it may re-issue the payout under another
  // external_id, so it is said only when no attempt can have reached the gateway.
  if (mayHaveReached || context.earlierMayHaveReached) {
    return { action: 'review', reason: `attempts_exhausted_outcome_unknown: ${reason}` };
  }
  return { action: 'give_up', reason: NOT_SENT };
}

export function decide(
  outcome: GatewayOutcome,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  context: DecisionContext = {},
): Decision {
  const d: Deciding = { attempt, policy, now, context };
  switch (outcome.kind) {
    case 'accepted':
    case 'final':
    case 'unknown_status':
      return answered({
        action: 'report',
        report: {
          status: outcome.answer.status,
          orderId: outcome.answer.order_id,
          reasonCode: outcome.answer.reason_code,
          reason: outcome.answer.reason,
        },
      });
    // The request never reached the gateway: sending again cannot pay twice.
    case 'not_sent':
      return noAnswer(retry(d, `not_sent: ${outcome.code}`));
    // The gateway asked us to come back: it created nothing, and we honour its Retry-After.
    case 'retry_later':
      return noAnswer(
        retry(d, `gateway_busy: HTTP ${outcome.httpStatus}`, { atLeastMs: outcome.retryAfterMs }),
      );
    // A refusal: nothing was created, and the same request would be refused again.
    case 'rejected': {
      const reason = `gateway_rejected: HTTP ${outcome.httpStatus} ${outcome.code}`;
      // This attempt's refusal says nothing of an earlier one that may have created the payout.
      return answered(
        context.earlierMayHaveReached
          ? { action: 'review', reason: `refused_after_unknown: ${reason}` }
          : { action: 'reject', reason },
      );
    }
    // An answer about another transaction (a deposit's, replayed for the shared external_id): it
    // proves nothing of ours, and the same request would be answered the same. Never resent, even
    // under resendOnUnknown; its order is not ours, so it is not recorded.
    case 'other_transaction':
      return answered({ action: 'review', reason: `${outcome.code}: ${outcome.message}` });
    // The gateway already has this external_id: an earlier attempt arrived. Never "rejected".
    case 'duplicate':
      return answered({ action: 'review', reason: 'gateway_duplicate_external_id' });
    // The gateway may have created the payout. Sending again could pay twice, unless the gateway is
    // known to deduplicate external_id.
    case 'unknown':
      return noAnswer(
        policy.resendOnUnknown
          ? retry(d, `unknown_resend: ${outcome.code}`, { mayHaveReached: true })
          : { action: 'review', reason: `outcome_unknown: ${outcome.code}` },
      );
    default: {
      const never: never = outcome;
      throw new Error(`unclassified outcome ${JSON.stringify(never)}`);
    }
  }
}

/** Why a payout whose holder was lost mid-send goes to review (or, resent, to retry_scheduled). */
const LOST_HOLDER = 'worker_lost_mid_send';

/** What becomes of a payout whose holder was lost mid-send. */
export type LostHolderDecision =
  | { action: 'review'; reason: string }
  | { action: 'retry'; at: number; reason: string; mayHaveReached: true };

/**
 * A second delivery found the payout `sending` past its holder's send window: the holder is taken for
 * lost, and whether its request reached the gateway is unknown. Decided as any unknown outcome of
 * `attempt`: to review, or, under `resendOnUnknown`, sent again (to review once out of attempts). The
 * lost attempt says nothing of the gateway's health, so the circuit breaker does not count it.
 */
export function decideLostHolder(
  attempt: number,
  policy: RetryPolicy,
  now: number,
  context: DecisionContext = {},
): LostHolderDecision {
  if (!policy.resendOnUnknown) return { action: 'review', reason: `${LOST_HOLDER}: outcome unknown` };
  const next = retry({ attempt, policy, now, context }, `unknown_resend: ${LOST_HOLDER}`, {
    mayHaveReached: true,
  });
  if (next.action === 'retry') return { ...next, mayHaveReached: true };
  if (next.action === 'review') return next;
  // retry() ends an attempt that may have reached the gateway in review, never in give_up.
  throw new Error(`a lost holder's attempt decided as ${next.action}`);
}
