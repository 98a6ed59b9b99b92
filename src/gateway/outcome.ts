/**
 * What one gateway call ended as. Every call returns exactly one of these; the classifier in
 * `classify.ts` is the only place that decides which, and the worker's `decide` is the only place
 * that turns one into a payout state.
 */

/** Gateway status codes (SPEC.md "Status and type codes"). */
export const GatewayStatus = {
  INITIAL: 1,
  AWAITING_CONFIRMATION: 2,
  PROCESSING: 3,
  SUCCESS: 4,
  DECLINE: 5,
  ERROR: 6,
  UNKNOWN: 7,
} as const;
export type GatewayStatusCode = (typeof GatewayStatus)[keyof typeof GatewayStatus];
export type PendingStatus = 1 | 2 | 3;
export type FinalStatus = 4 | 5 | 6;

/** What a status code means for the money: not final yet, moved, did not move, or nobody knows. */
export type StatusMeaning = 'pending' | 'success' | 'failure' | 'unknown';

/** The meaning of every status code. Exhaustive: a new code is a compile error here. */
export function statusMeaning(status: GatewayStatusCode): StatusMeaning {
  switch (status) {
    case 1:
    case 2:
    case 3:
      return 'pending';
    case 4:
      return 'success';
    // ERROR (6) is "an error with processing the transaction": a final failure, like DECLINE.
    case 5:
    case 6:
      return 'failure';
    // UNKNOWN (7) is never a failure: the details are not clear.
    case 7:
      return 'unknown';
    default: {
      const never: never = status;
      throw new Error(`unmapped gateway status ${String(never)}`);
    }
  }
}

/** Gateway transaction types. */
export const GatewayType = { DEPOSIT: 1, PAYOUT: 2, REFUND: 3 } as const;
export type GatewayTypeCode = (typeof GatewayType)[keyof typeof GatewayType];

const TYPE_NAMES: Readonly<Record<number, string>> = { 1: 'deposit', 2: 'payout', 3: 'refund' };

/** A transaction type as operators read it: `type 1 (deposit)`; a code the pages do not list, bare. */
export const describeType = (type: number): string =>
  TYPE_NAMES[type] !== undefined ? `type ${type} (${TYPE_NAMES[type]})` : `type ${type}`;

/** A parsed 2xx answer, with any card in display_data already masked. */
export interface GatewayAnswer {
  status: GatewayStatusCode;
  type?: number | undefined;
  external_id?: string | undefined;
  order_id: string;
  /** The order's amount and currency, where an answer carries them (the pages document them for callbacks only). */
  amount?: string | undefined;
  currency?: string | undefined;
  redirect?: string | undefined;
  display_data?: Record<string, string> | undefined;
  reason_code?: string | undefined;
  reason?: string | undefined;
}

export type GatewayOutcome =
  /** The request never reached the gateway (DNS, refused, TLS, connect timeout): safe to send again. */
  | { kind: 'not_sent'; code: string; message: string }
  /** 429 or 503: the gateway asks us to come back; no sooner than `retryAfterMs`. */
  | { kind: 'retry_later'; httpStatus: number; retryAfterMs: number; message: string }
  /** 2xx with an order_id and a pending status (1-3). */
  | { kind: 'accepted'; answer: GatewayAnswer & { status: PendingStatus } }
  /** 2xx with a final status: 4 success, 5 decline, 6 error. */
  | { kind: 'final'; answer: GatewayAnswer & { status: FinalStatus } }
  /** 2xx with status 7: the gateway itself does not know; never a failure. */
  | { kind: 'unknown_status'; answer: GatewayAnswer & { status: 7 } }
  /** A 4xx refusal: nothing was created. */
  | { kind: 'rejected'; httpStatus: number; code: string; message: string }
  /**
   * A 2xx answer about another transaction than the one asked for: another type (a deposit's answer
   * to a payout, replayed for their shared external_id) or another external_id. It proves nothing of
   * ours: whether ours was created is unknown, and sending again would only be answered the same.
   * `message` names what came back (`type 1 (deposit), order 123`).
   */
  | {
      kind: 'other_transaction';
      httpStatus: number;
      code: 'gateway_answered_other_type' | 'gateway_answered_other_external_id';
      message: string;
    }
  /** A refusal that says the external_id exists: an earlier attempt arrived. */
  | { kind: 'duplicate'; httpStatus: number; message: string }
  /** The gateway may or may not have acted (read timeout, reset after writing, 500/502/504, unparsable 2xx). */
  | { kind: 'unknown'; httpStatus?: number | undefined; code: string; message: string };

export type OutcomeKind = GatewayOutcome['kind'];
