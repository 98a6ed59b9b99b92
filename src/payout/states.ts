/**
 * Payout states and the one table of allowed transitions (DESIGN.md "Payout states").
 * A terminal state never moves again: no event lists one in `from`.
 */

export const PAYOUT_STATES = [
  'awaiting_approval',
  'queued',
  'sending',
  'retry_scheduled',
  'submitted',
  'succeeded',
  'failed',
  'rejected',
  'needs_review',
  'cancelled',
] as const;
export type PayoutState = (typeof PAYOUT_STATES)[number];

export const TERMINAL_STATES: readonly PayoutState[] = ['succeeded', 'failed', 'rejected', 'cancelled'];
export const isTerminal = (s: PayoutState): boolean => TERMINAL_STATES.includes(s);
export const isPayoutState = (s: unknown): s is PayoutState =>
  typeof s === 'string' && (PAYOUT_STATES as readonly string[]).includes(s);

/**
 * The reason of a payout `failed` because no attempt reached the gateway: it tells the casino it may
 * re-issue the payout, so any later report of it from the gateway is a contradiction.
 */
export const NOT_SENT = 'not_sent';

/** Why a payout an approver declined is `rejected`. */
export const DECLINED_BY_OPERATOR = 'declined_by_operator';

/** Why a payout nobody approved within APPROVAL_TIMEOUT_MS is `cancelled`. */
export const APPROVAL_EXPIRED = 'approval_expired';

/**
 * The states a payout is created in: `awaiting_approval` when an approval rule or a per-customer
 * limit holds it (decided by the create script, atomically with the counting), `queued` otherwise.
 */
export const INITIAL_STATES = ['awaiting_approval', 'queued'] as const satisfies readonly PayoutState[];

/** How the reason of a payout an operator resolved begins: `resolved_by_operator: <decision>`. */
export const RESOLVED_BY_OPERATOR = 'resolved_by_operator';

export type Actor = 'producer' | 'worker' | 'callback' | 'reconciler' | 'operator';

interface Rule {
  from: readonly PayoutState[];
  to: PayoutState;
  /** Only the holder of the current `sending` token may apply it (worker decisions). */
  needsToken?: boolean;
  /**
   * Refused for a payout an earlier attempt of which may have reached the gateway (an unknown
   * outcome resent under RESEND_ON_UNKNOWN, or by an operator): only what is certainly unsent may be
   * cancelled.
   */
  onlyIfNeverReached?: boolean;
  /** Takes back the attempt the claim counted: nothing was sent under it. */
  returnsAttempt?: boolean;
  /**
   * Refused while a gateway order_id is recorded: the gateway provably has the payout, so sending it
   * again would ask for a second order. An operator may override it (TransitionOptions.force).
   */
  refusedWithOrder?: boolean;
  /**
   * Refused while the payout's payment_system is paused (the payout is noted as held, for resuming
   * to wake) or its circuit breaker is open; when the cool-down is over, the claim that finds it is
   * the one allowed through, as the probe. See src/controls.
   */
  heldByControls?: boolean;
  /**
   * Moves only once the approvals the payout needs are in, each from a different approver; an
   * approval short of that is recorded in the history and the state stays.
   */
  needsApprovals?: boolean;
}

export const TRANSITIONS = {
  // awaiting_approval is in no event's `from` but these three (and cancel): never claimed, never sent.
  /** The approvals it needs are in (one, or two from different approvers): it may be sent. */
  approve: { from: ['awaiting_approval'], to: 'queued', needsApprovals: true },
  /** An approver refused it: reason `declined_by_operator`. */
  decline: { from: ['awaiting_approval'], to: 'rejected' },
  /** Nobody approved it within APPROVAL_TIMEOUT_MS: reason `approval_expired`. */
  expire_approval: { from: ['awaiting_approval'], to: 'cancelled' },
  /** A worker takes the payout to call the gateway; it gets a fresh token. */
  claim: { from: ['queued', 'retry_scheduled'], to: 'sending', heldByControls: true },
  /**
   * The claim was not confirmed durable in time (REDIS_DURABILITY): nothing was sent, and the claim is
   * given back to be sent later, its attempt not counted.
   */
  give_back: { from: ['sending'], to: 'retry_scheduled', needsToken: true, returnsAttempt: true },
  /** The attempt certainly created nothing (not sent, or 429/503): try again later. */
  retry: { from: ['sending'], to: 'retry_scheduled', needsToken: true },
  /** Every attempt failed to reach the gateway: final failure with reason `not_sent`. */
  give_up: { from: ['sending'], to: 'failed', needsToken: true },
  /** Our validation or a gateway 4xx refused it before any money could move. */
  reject: { from: ['sending'], to: 'rejected', needsToken: true },
  /** The attempt's outcome is unknown (lost answer, duplicate refusal, worker lost mid-send). */
  review: { from: ['sending'], to: 'needs_review', needsToken: true },
  // The gateway's word (an answer, a callback, a status poll) is a fact: it also stops a payout that
  // is queued or retry_scheduled from being sent again, e.g. a late callback after an operator's resend.
  /** The gateway reports a pending status (1-3). */
  gateway_pending: { from: ['queued', 'retry_scheduled', 'sending', 'needs_review'], to: 'submitted' },
  /** The gateway reports SUCCESS (4). */
  gateway_success: {
    from: ['queued', 'retry_scheduled', 'sending', 'submitted', 'needs_review'],
    to: 'succeeded',
  },
  /** The gateway reports DECLINE (5) or ERROR (6). */
  gateway_failure: {
    from: ['queued', 'retry_scheduled', 'sending', 'submitted', 'needs_review'],
    to: 'failed',
  },
  /** The gateway reports UNKNOWN (7), or a submitted payout waited past its deadline. */
  gateway_unknown: { from: ['queued', 'retry_scheduled', 'sending', 'submitted'], to: 'needs_review' },
  /** Cancelled before it was sent. */
  cancel: {
    from: ['awaiting_approval', 'queued', 'retry_scheduled'],
    to: 'cancelled',
    onlyIfNeverReached: true,
  },
  /** An operator's decision on a payout whose outcome was unknown. */
  resolve_succeeded: { from: ['needs_review'], to: 'succeeded' },
  resolve_failed: { from: ['needs_review'], to: 'failed' },
  /** An operator decided a second payout is impossible or acceptable: send again, same external_id. */
  resend: { from: ['needs_review'], to: 'queued', refusedWithOrder: true },
} as const satisfies Record<string, Rule>;

export type PayoutEvent = keyof typeof TRANSITIONS;
export const PAYOUT_EVENTS = Object.keys(TRANSITIONS) as PayoutEvent[];

/** The state an event leads to from `from`, or undefined when the table refuses it. */
export function nextState(from: PayoutState, event: PayoutEvent): PayoutState | undefined {
  const rule: Rule = TRANSITIONS[event];
  return rule.from.includes(from) ? rule.to : undefined;
}
