import type { Actor } from '../payout/states.js';
import { enqueuePayout } from './enqueue.js';
import { approvePayout, cancelPayout, declinePayout, resolvePayout } from './operator-actions.js';
import { type ListQuery, listPayouts, type PayoutPage } from './payout-list.js';
import { guarded, type ProducerDeps, view } from './producer-deps.js';
import type { PayoutView } from './view.js';

/**
 * Enqueueing payouts (enqueue.ts), reading them, and operators' actions on them
 * (operator-actions.ts). Used by the HTTP API and by Node backends directly (`createPayoutClient` in
 * the package's entry point).
 */

export interface EnqueueResult {
  /** True when this call created the payout; false when the same request was already accepted. */
  created: boolean;
  payout: PayoutView;
}

export interface Producer {
  /** Validates and enqueues a payout. Throws ValidationError, ConflictError or StoreUnavailableError. */
  enqueuePayout(input: unknown): Promise<EnqueueResult>;
  /** The payout with its history and masked payment_data. Throws NotFoundError. */
  getPayout(externalId: string): Promise<PayoutView>;
  /** A page of payouts, newest change first, without their history, archived ones too when an archive is given (payout-list.ts). */
  listPayouts(query: ListQuery): Promise<PayoutPage>;
  /** Cancels a payout that has not been sent yet. Throws NotFoundError or TransitionRefusedError. */
  cancelPayout(externalId: string, by: { actor: Actor; who?: string; note?: string }): Promise<PayoutView>;
  /**
   * An operator's decision on a payout in needs_review: what the gateway says happened
   * (succeeded, failed), or `resend`, the explicit decision that a second payout is impossible or
   * acceptable. Throws NotFoundError, TransitionRefusedError, or OrderRecordedError for a resend of
   * a payout that holds a gateway order without `force`.
   */
  resolvePayout(externalId: string, decision: ResolveDecision): Promise<PayoutView>;
  /**
   * An approver's approval of a payout awaiting_approval: it is queued (and sent) once the approvals
   * it needs are in, each from a different approver. Throws NotFoundError or TransitionRefusedError
   * (not awaiting approval, or this approver has already approved it).
   */
  approvePayout(externalId: string, by: { who: string; note?: string | undefined }): Promise<PayoutView>;
  /** An approver's refusal: `rejected` with reason `declined_by_operator`. */
  declinePayout(externalId: string, by: { who: string; note?: string | undefined }): Promise<PayoutView>;
}

export interface ResolveDecision {
  as: 'succeeded' | 'failed' | 'resend';
  note: string;
  who: string;
  /**
   * Resend although the payout holds a gateway order (refused otherwise, with OrderRecordedError):
   * the operator's explicit word that a second order is impossible or acceptable.
   */
  force?: boolean | undefined;
}

export type { ProducerDeps } from './producer-deps.js';

export function createProducer(deps: ProducerDeps): Producer {
  return {
    enqueuePayout: (input) => enqueuePayout(deps, input),
    getPayout: (externalId) => guarded(() => view(deps, externalId)),
    listPayouts: (query) => guarded(() => listPayouts(deps.store, deps.holdOf, query, deps.archive)),
    cancelPayout: (externalId, by) => cancelPayout(deps, externalId, by),
    approvePayout: (externalId, by) => approvePayout(deps, externalId, by),
    declinePayout: (externalId, by) => declinePayout(deps, externalId, by),
    resolvePayout: (externalId, decision) => resolvePayout(deps, externalId, decision),
  };
}
