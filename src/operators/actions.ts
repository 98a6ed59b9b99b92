import type { Producer, ResolveDecision } from '../producer/producer.js';
import type { PayoutView } from '../producer/view.js';
import type { AuditLog, AuditVia } from './audit.js';

/**
 * What an operator does to one payout, audited: the one path the HTTP API and the console both take,
 * so an action is refused or recorded the same way whichever page or client asked for it. `who` is
 * the authenticated operator's name, never a name the request chose.
 */

export interface ActingOperator {
  who: string;
  via: AuditVia;
}

export interface OperatorActions {
  cancel(externalId: string, by: ActingOperator, note?: string): Promise<PayoutView>;
  resolve(
    externalId: string,
    by: ActingOperator,
    decision: Omit<ResolveDecision, 'who'>,
  ): Promise<PayoutView>;
  /** One approval; the payout is queued once the approvals it needs are in, from different approvers. */
  approve(externalId: string, by: ActingOperator, note?: string): Promise<PayoutView>;
  /** Ends a payout awaiting approval as rejected (`declined_by_operator`). */
  decline(externalId: string, by: ActingOperator, note?: string): Promise<PayoutView>;
}

export function createOperatorActions(deps: { producer: Producer; audit: AuditLog }): OperatorActions {
  const { producer, audit } = deps;

  /** Runs an action and audits it with the payout's state before and after. */
  const audited = async (
    externalId: string,
    by: ActingOperator,
    action: string,
    note: string | undefined,
    act: () => Promise<PayoutView>,
  ): Promise<PayoutView> => {
    const before = (await producer.getPayout(externalId)).status;
    const view = await act();
    await audit.record({
      who: by.who,
      via: by.via,
      action,
      target: externalId,
      before: { status: before },
      after: {
        status: view.status,
        reason: view.reason,
        ...(view.approvals ? { approvals: view.approvals } : {}),
      },
      ...(note ? { note } : {}),
    });
    return view;
  };

  return {
    cancel: (externalId, by, note) =>
      audited(externalId, by, 'payout.cancel', note, () =>
        producer.cancelPayout(externalId, { actor: 'operator', who: by.who, ...(note ? { note } : {}) }),
      ),
    resolve: (externalId, by, decision) =>
      audited(externalId, by, `payout.resolve_${decision.as}`, decision.note, () =>
        producer.resolvePayout(externalId, { ...decision, who: by.who }),
      ),
    approve: (externalId, by, note) =>
      audited(externalId, by, 'payout.approve', note, () =>
        producer.approvePayout(externalId, { who: by.who, ...(note ? { note } : {}) }),
      ),
    decline: (externalId, by, note) =>
      audited(externalId, by, 'payout.decline', note, () =>
        producer.declinePayout(externalId, { who: by.who, ...(note ? { note } : {}) }),
      ),
  };
}
