import { entryTail } from './history.js';
import { CUSTOMER_WINDOW } from './keys.js';
import type { MoveCall } from './move-answer.js';
import type { EventShape } from './move-shape.js';
import type { TransitionOptions } from './store-types.js';

/** Every move clears these fields unless it sets them again ('' deletes a field). */
function movedFields(opts: TransitionOptions): string[] {
  const fields = [
    'reason',
    opts.reason ?? '',
    'reason_code',
    opts.reasonCode ?? '',
    'next_attempt_at',
    opts.nextAttemptAt === undefined ? '' : String(opts.nextAttemptAt),
  ];
  if (opts.gatewayStatus !== undefined) fields.push('gateway_status', String(opts.gatewayStatus));
  if (opts.mayHaveReached) fields.push('may_have_reached', '1');
  return fields;
}

/**
 * The TRANSITION script's keys then arguments, in the order the script reads them; the keys are the
 * first `8 + shape.stateKeys.length`.
 */
export function transitionArgs(call: MoveCall, shape: EventShape, at: number): string[] {
  const { ctx, externalId, event, opts, claim, to, newToken } = call;
  const { keys, outboxes } = ctx;
  const { needsToken, needsApprovals } = shape;
  const fields = movedFields(opts);
  return [
    keys.record(externalId),
    keys.history(externalId),
    keys.outbox,
    keys.payload(externalId),
    keys.ledgerOutbox,
    ...shape.stateKeys,
    keys.controls.paused,
    keys.controls.held,
    keys.controls.breakers,
    shape.from,
    to,
    needsToken ? (opts.token ?? '') : '',
    newToken,
    String(at),
    entryTail(event, opts.actor, {
      gateway_status: opts.gatewayStatus,
      order_id: opts.orderId,
      reason: opts.reason,
      reason_code: opts.reasonCode,
      who: opts.who,
      note: opts.note,
    }),
    shape.terminal,
    shape.attemptsDelta,
    externalId,
    shape.states,
    outboxes,
    claim ? String(claim.dueBy) : '',
    claim ? '1' : '0',
    shape.onlyIfNeverReached,
    opts.orderId ?? '',
    shape.refusedWithOrder && !opts.force ? '1' : '0',
    shape.heldByControls,
    needsApprovals ? (opts.approver ?? '') : '',
    CUSTOMER_WINDOW(keys.base),
    ...fields,
  ];
}
