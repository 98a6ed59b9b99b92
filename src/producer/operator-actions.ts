import { NotFoundError, OrderRecordedError, TransitionRefusedError, ValidationError } from '../errors.js';
import { NO_CONTROL_CHARACTERS, noControlCharacters } from '../methods/index.js';
import { type Actor, DECLINED_BY_OPERATOR, RESOLVED_BY_OPERATOR } from '../payout/states.js';
import { ensurePayoutJob } from '../queues.js';
import type { ResolveDecision } from './producer.js';
import { guarded, type ProducerDeps, refusedOrMissing, view } from './producer-deps.js';
import type { PayoutView } from './view.js';

/** Operators' actions on one payout: cancel, approve, decline, resolve. */

/**
 * An operator's note and name reach terminals (`payouts status`), Bull Board and notifications: no
 * control characters, whether they come from the API, the CLI or the library.
 */
function checkOperatorText(fields: { note?: string | undefined; who?: string | undefined }): void {
  const issues = Object.entries(fields)
    .filter(([, value]) => value !== undefined && !noControlCharacters(value))
    .map(([path]) => ({ path, message: NO_CONTROL_CHARACTERS }));
  if (issues.length > 0) throw new ValidationError(issues);
}

const RESOLVE_EVENTS = {
  succeeded: 'resolve_succeeded',
  failed: 'resolve_failed',
  resend: 'resend',
} as const;

type By = { who: string; note?: string | undefined };

export const cancelPayout = (
  deps: ProducerDeps,
  externalId: string,
  by: { actor: Actor; who?: string; note?: string },
): Promise<PayoutView> =>
  guarded(async () => {
    checkOperatorText({ note: by.note, who: by.who });
    const moved = await deps.store.transition(externalId, 'cancel', {
      actor: by.actor,
      who: by.who,
      note: by.note,
      reason: 'cancelled',
    });
    if (!moved.ok) {
      if (moved.current === undefined) return refusedOrMissing(deps, externalId, 'cancel');
      throw new TransitionRefusedError(
        externalId,
        'cancel',
        moved.current,
        moved.mayHaveReached
          ? 'an earlier attempt whose outcome was unknown may have reached the gateway'
          : undefined,
      );
    }
    // The job, if any, finds the payout cancelled and sends nothing.
    return view(deps, externalId);
  });

export const approvePayout = (deps: ProducerDeps, externalId: string, by: By): Promise<PayoutView> =>
  guarded(async () => {
    checkOperatorText({ note: by.note, who: by.who });
    const moved = await deps.store.transition(externalId, 'approve', {
      actor: 'operator',
      who: by.who,
      note: by.note,
      approver: by.who,
    });
    if (!moved.ok) {
      if (moved.current === undefined) throw new NotFoundError(externalId);
      throw new TransitionRefusedError(
        externalId,
        'approve',
        moved.current,
        moved.sameApprover
          ? `${by.who} has approved it already: another approver must give the second`
          : undefined,
      );
    }
    if (!moved.approvalRecorded) await ensurePayoutJob(deps.queue, externalId);
    return view(deps, externalId);
  });

export const declinePayout = (deps: ProducerDeps, externalId: string, by: By): Promise<PayoutView> =>
  guarded(async () => {
    checkOperatorText({ note: by.note, who: by.who });
    const moved = await deps.store.transition(externalId, 'decline', {
      actor: 'operator',
      who: by.who,
      note: by.note,
      reason: DECLINED_BY_OPERATOR,
    });
    if (!moved.ok) {
      if (moved.current === undefined) throw new NotFoundError(externalId);
      throw new TransitionRefusedError(externalId, 'decline', moved.current);
    }
    return view(deps, externalId);
  });

export const resolvePayout = (
  deps: ProducerDeps,
  externalId: string,
  decision: ResolveDecision,
): Promise<PayoutView> =>
  guarded(async () => {
    checkOperatorText({ note: decision.note, who: decision.who });
    const moved = await deps.store.transition(externalId, RESOLVE_EVENTS[decision.as], {
      actor: 'operator',
      who: decision.who,
      note: decision.note,
      reason: `${RESOLVED_BY_OPERATOR}: ${decision.as}${decision.as === 'resend' && decision.force ? ' (force)' : ''}`,
      // The attempt whose outcome was unknown may still have created the payout: a resent one is
      // never cancelled, nor ended as not_sent or rejected, on the strength of a later attempt.
      ...(decision.as === 'resend' ? { mayHaveReached: true, force: decision.force === true } : {}),
    });
    if (!moved.ok) {
      const action = `resolve as ${decision.as}`;
      if (moved.current === undefined) return refusedOrMissing(deps, externalId, action);
      if (moved.orderRecorded !== undefined) throw new OrderRecordedError(externalId, moved.orderRecorded);
      throw new TransitionRefusedError(externalId, action, moved.current);
    }
    if (decision.as === 'resend') await ensurePayoutJob(deps.queue, externalId);
    return view(deps, externalId);
  });
