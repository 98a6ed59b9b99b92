import type { Issue } from './methods/index.js';

/**
 * Errors a client or operator can act on. Each carries a stable `code` and the HTTP status the API
 * answers with; the API's error body is `{"error":{"code","message","issues"?}}`.
 */
export abstract class PayoutError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  /** Whether trying the same call again later may succeed. */
  readonly retryable: boolean = false;
  /** The fields at fault, when the error is about some (422, and the fields a 409 differs in). */
  readonly issues?: Issue[] | undefined;
}

/** The request is malformed; `issues` names each field. Nothing was stored. */
export class ValidationError extends PayoutError {
  override readonly name = 'ValidationError';
  readonly code = 'validation_failed';
  readonly httpStatus = 422;
  constructor(override readonly issues: Issue[]) {
    super(`the request is invalid: ${issues.map((i) => i.path || '(body)').join(', ')}`);
  }
}

/**
 * The external_id exists with another body. Nothing was changed. `fields` names what differs from
 * the request first accepted (names only: the values may be card numbers), when it is known.
 */
export class ConflictError extends PayoutError {
  override readonly name = 'ConflictError';
  readonly code = 'external_id_conflict';
  readonly httpStatus = 409;
  override readonly issues: Issue[] | undefined;
  constructor(externalId: string, fields: readonly string[] = [], message?: string) {
    super(
      message ??
        (fields.length === 0
          ? `payout ${externalId} already exists with a different request body`
          : `payout ${externalId} already exists with a different request: ${fields.join(', ')} ${
              fields.length === 1 ? 'differs' : 'differ'
            } from the request first accepted under this external_id`),
    );
    this.issues =
      fields.length === 0
        ? undefined
        : fields.map((path) => ({ path, message: 'differs from the request first accepted' }));
  }
}

/**
 * The external_id belongs to a deposit (for a payout) or to a payout (for a deposit). The gateway
 * takes it as the merchant's order id for both, and answers a repeated one with the first
 * transaction's answer: one external_id must name one of them. Nothing was stored or sent.
 */
export class ExternalIdTakenError extends ConflictError {
  constructor(
    externalId: string,
    readonly heldBy: 'deposit' | 'payout',
  ) {
    const other = heldBy === 'deposit' ? 'payout' : 'deposit';
    super(
      externalId,
      [],
      `external_id ${externalId} belongs to a ${heldBy}: deposits and payouts share the gateway's external_id (the merchant's order id), so this ${other} needs an external_id of its own`,
    );
  }
}

/** No payout with that external_id (or no batch with that id). */
export class NotFoundError extends PayoutError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
  readonly httpStatus = 404;
  constructor(id: string, what: 'payout' | 'batch' = 'payout') {
    super(what === 'payout' ? `no payout with external_id ${id}` : `no batch ${id}`);
  }
}

/** The state machine refuses the action in the payout's current state. */
export class TransitionRefusedError extends PayoutError {
  override readonly name = 'TransitionRefusedError';
  readonly code = 'transition_refused';
  readonly httpStatus = 409;
  constructor(
    readonly externalId: string,
    readonly action: string,
    readonly current: string,
    why?: string,
  ) {
    super(`cannot ${action} payout ${externalId}: it is ${current}${why ? `, and ${why}` : ''}`);
  }
}

/**
 * `resend` refused: the payout holds a gateway order, so the gateway provably has it and sending it
 * again asks for a second one. An operator who knows a second order is impossible or acceptable
 * passes `force: true` with a note.
 */
export class OrderRecordedError extends PayoutError {
  override readonly name = 'OrderRecordedError';
  readonly code = 'order_recorded';
  readonly httpStatus = 409;
  constructor(
    readonly externalId: string,
    readonly orderId: string,
  ) {
    super(
      `cannot resend payout ${externalId}: the gateway has order ${orderId} for it, and a resend may pay it twice; ` +
        'resolve it as succeeded or failed from that order, or resend anyway with force: true and a note saying why',
    );
  }
}

/**
 * Redis could not be reached, refused the write, or did not make it durable in time
 * (REDIS_DURABILITY). The write may have happened: the outcome is unknown, and the same request
 * (same external_id, same body) is what to send again; it answers 200 with the payout if it was.
 */
export class StoreUnavailableError extends PayoutError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'store_unavailable';
  readonly httpStatus = 503;
  override readonly retryable = true;
  constructor(cause?: unknown, why = 'the payout store is unavailable') {
    super(`${why}: outcome unknown, retry the same request (same external_id and body)`, { cause });
  }
}

/** The message of a write Redis made but could not make durable in time (REDIS_DURABILITY). */
export const NOT_DURABLE = 'the payout store did not confirm the write durable in time (REDIS_DURABILITY)';
