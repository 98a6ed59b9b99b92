import type { MethodId } from '../methods/index.js';
import type { PayoutState } from './states.js';

/**
 * A payout as the store keeps it (one Redis hash per payout) and as it reads it back. Only the store
 * writes it; `recordFrom` is how every reader decodes the hash.
 */

export interface Customer {
  customer_id: string;
  country: string;
  first_name: string;
  last_name: string;
}

export interface PayoutRecord {
  externalId: string;
  method: MethodId;
  paymentSystem: string;
  amount: number;
  currency: string;
  customer: Customer;
  status: PayoutState;
  orderId: string | undefined;
  gatewayStatus: number | undefined;
  /** Not in the hash before the first claim writes it: 0. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  maskedPaymentData: Record<string, string>;
  /** Why it is in its state, for failed, rejected, needs_review and retry_scheduled. */
  reason: string | undefined;
  reasonCode: string | undefined;
  /** When a retry_scheduled payout may be sent again (epoch ms). */
  nextAttemptAt: number | undefined;
  /** The current holder's token while `sending`. */
  token: string | undefined;
  /**
   * An attempt whose outcome was unknown was resent (RESEND_ON_UNKNOWN, or an operator's resend):
   * some attempt may have created the payout, so no later attempt can prove that none did. Kept for
   * good.
   */
  mayHaveReached: boolean;
  /** Approvals it needs before it may be sent (1 or 2), while awaiting_approval or once approved. */
  approvalsNeeded: number | undefined;
  /** The approvers who approved it, in order. */
  approvedBy: string[];
  /** Sequence number of the last change, for ordering notifications. */
  seq: number;
  /** The sealed payment_data; gone once the payout is terminal. */
  sealedPayload: string | undefined;
  /** A scheduled payout: no claim takes it before this time (epoch ms). */
  notBefore: number | undefined;
  digest: string;
}

/** Prefix of the record's fields that hold the masked payment_data, one field per value. */
export const MASKED = 'm:';

/** A record from its hash's fields and its sealed payload. */
export function recordFrom(
  externalId: string,
  h: Record<string, string>,
  sealedPayload: string | undefined,
): PayoutRecord {
  const maskedPaymentData: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith(MASKED)) maskedPaymentData[name.slice(MASKED.length)] = value;
  }
  return {
    externalId,
    method: h.method as MethodId,
    paymentSystem: h.payment_system ?? '',
    amount: Number(h.amount),
    currency: h.currency ?? '',
    customer: {
      customer_id: h.customer_id ?? '',
      country: h.country ?? '',
      first_name: h.first_name ?? '',
      last_name: h.last_name ?? '',
    },
    status: h.status as PayoutState,
    orderId: h.order_id,
    gatewayStatus: h.gateway_status ? Number(h.gateway_status) : undefined,
    attempts: Number(h.attempts ?? 0),
    createdAt: new Date(Number(h.created_at)).toISOString(),
    updatedAt: new Date(Number(h.updated_at)).toISOString(),
    maskedPaymentData,
    reason: h.reason,
    reasonCode: h.reason_code,
    nextAttemptAt: h.next_attempt_at ? Number(h.next_attempt_at) : undefined,
    token: h.token,
    mayHaveReached: h.may_have_reached === '1',
    approvalsNeeded: h.approvals_needed ? Number(h.approvals_needed) : undefined,
    approvedBy: h.approved_by ? h.approved_by.split('\n') : [],
    seq: Number(h.seq ?? 0),
    sealedPayload,
    digest: h.digest ?? '',
    notBefore: h.not_before ? Number(h.not_before) : undefined,
  };
}
