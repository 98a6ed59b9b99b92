import { PayoutError } from '../errors.js';
import type { DepositView } from './records.js';

/** What a deposit's request answers, once its record says how it went. */

/** A deposit's outcome the caller must hear about as an error (502 unknown, 503 not sent, 409, 422). */
export class DepositOutcomeError extends PayoutError {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** A deposit sent whose outcome was never written: the gateway may have created it. */
export const outcomeNotRecorded = () =>
  new DepositOutcomeError(
    'gateway_outcome_unknown',
    502,
    'the outcome of this deposit was not recorded, and the gateway may have created it; it is not retried. Check its status later.',
  );

/** Nothing was sent: the record could not be made durable (REDIS_DURABILITY), so the send was not made. */
export const notDurable = () =>
  new DepositOutcomeError(
    'store_unavailable',
    503,
    'the deposit could not be recorded durably in time (REDIS_DURABILITY); nothing was sent. Retry the same request.',
    1,
  );

/** How the reason of a deposit answered with another transaction's answer begins (classify.ts). */
const OTHER_TRANSACTION = /^gateway_answered_other_(type|external_id): (.*)$/;

/** The 502 of a deposit whose outcome is unknown; `reason` is its record's, when it names one. */
function unknownOutcome(reason: string | undefined): DepositOutcomeError {
  const other = reason === undefined ? null : OTHER_TRANSACTION.exec(reason);
  return new DepositOutcomeError(
    'gateway_outcome_unknown',
    502,
    other
      ? `the gateway answered about another transaction under this external_id (${other[2]}), not this deposit: whether this deposit was created is unknown; it is not retried. Check with the gateway.`
      : 'the gateway may or may not have created this deposit; it is not retried. Check its status later.',
  );
}

/**
 * The deposit as the answer, or the error that says how it stands: refused, unknown (`reason`, its
 * record's, says why when it can), still being sent (or cut off while sent, after `sendWindowMs`),
 * or certainly not sent.
 */
export function answerFor(view: DepositView, sendWindowMs: number, reason?: string): DepositView {
  switch (view.status) {
    case 'rejected':
      throw new DepositOutcomeError('gateway_rejected', 422, 'the gateway refused this deposit');
    case 'unknown':
      throw unknownOutcome(reason);
    case 'sending':
      if (Date.now() - Date.parse(view.updated_at) > sendWindowMs) throw outcomeNotRecorded();
      throw new DepositOutcomeError('deposit_in_progress', 409, 'this deposit is being sent right now');
    case 'not_sent':
      throw new DepositOutcomeError(
        'gateway_unavailable',
        503,
        'the gateway could not be reached; nothing was sent. Try again.',
        5,
      );
    default:
      return view;
  }
}
