import type { HistoryEntry, PayoutRecord } from '../payout/store.js';

/** A payout as the API, the CLI and notifications show it: masked, no secrets, no tokens. */
export interface PayoutView {
  external_id: string;
  method: string;
  payment_system: string;
  amount: number;
  currency: string;
  customer_id: string;
  status: string;
  order_id: string | null;
  gateway_status: number | null;
  attempts: number;
  reason: string | null;
  reason_code: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  /** Sequence number of the latest change; notifications carry it so receivers can order them. */
  seq: number;
  payment_data: Record<string, string>;
  history: HistoryEntry[];
}

export function toView(record: PayoutRecord, history: HistoryEntry[]): PayoutView {
  return {
    external_id: record.externalId,
    method: record.method,
    payment_system: record.paymentSystem,
    amount: record.amount,
    currency: record.currency,
    customer_id: record.customer.customer_id,
    status: record.status,
    order_id: record.orderId ?? null,
    gateway_status: record.gatewayStatus ?? null,
    attempts: record.attempts,
    reason: record.reason ?? null,
    reason_code: record.reasonCode ?? null,
    next_attempt_at: record.nextAttemptAt ? new Date(record.nextAttemptAt).toISOString() : null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    seq: record.seq,
    payment_data: record.maskedPaymentData,
    history,
  };
}
