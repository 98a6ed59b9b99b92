import { PAYOUT_EVENTS, PAYOUT_STATES } from '../../src/payout/states.js';

// The transition table written out by hand: state -> event -> next state. Anything absent is refused.
export const EXPECTED: Record<string, Record<string, string>> = {
  awaiting_approval: {
    approve: 'queued',
    decline: 'rejected',
    expire_approval: 'cancelled',
    cancel: 'cancelled',
  },
  queued: {
    claim: 'sending',
    cancel: 'cancelled',
    gateway_pending: 'submitted',
    gateway_success: 'succeeded',
    gateway_failure: 'failed',
    gateway_unknown: 'needs_review',
  },
  retry_scheduled: {
    claim: 'sending',
    cancel: 'cancelled',
    gateway_pending: 'submitted',
    gateway_success: 'succeeded',
    gateway_failure: 'failed',
    gateway_unknown: 'needs_review',
  },
  sending: {
    give_back: 'retry_scheduled',
    retry: 'retry_scheduled',
    give_up: 'failed',
    reject: 'rejected',
    review: 'needs_review',
    gateway_pending: 'submitted',
    gateway_success: 'succeeded',
    gateway_failure: 'failed',
    gateway_unknown: 'needs_review',
  },
  submitted: {
    gateway_success: 'succeeded',
    gateway_failure: 'failed',
    gateway_unknown: 'needs_review',
  },
  needs_review: {
    gateway_pending: 'submitted',
    gateway_success: 'succeeded',
    gateway_failure: 'failed',
    resolve_succeeded: 'succeeded',
    resolve_failed: 'failed',
    resend: 'queued',
  },
  succeeded: {},
  failed: {},
  rejected: {},
  cancelled: {},
};

export const TRANSITION_CASES = PAYOUT_STATES.flatMap((state) =>
  PAYOUT_EVENTS.map((event) => [state, event, EXPECTED[state]?.[event]] as const),
);
