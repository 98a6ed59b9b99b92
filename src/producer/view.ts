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

/**
 * The payout as it was right after its change `seq`, without its history: what the notification of
 * that change carries, however late it is delivered, so it never mixes that change's state with a
 * later change's gateway status or reason. State, order_id, gateway status, attempts and reason come
 * from the history up to that change (a contradiction note moves nothing); next_attempt_at, which the
 * history does not keep, only while that change's move is still the latest. Undefined when the
 * history has no change `seq`.
 */
export function viewAsOf(
  record: PayoutRecord,
  history: HistoryEntry[],
  seq: number,
): { payout: Omit<PayoutView, 'history'>; change: HistoryEntry } | undefined {
  const { history: _none, ...latest } = toView(record, []);
  let change: HistoryEntry | undefined;
  let move: HistoryEntry | undefined;
  let latestMove: HistoryEntry | undefined;
  let orderId: string | undefined;
  let gatewayStatus: number | undefined;
  let attempts = 0;
  for (const entry of history) {
    if (entry.contradiction) {
      if (entry.seq === seq) change = entry;
      continue;
    }
    latestMove = entry;
    if (entry.seq > seq) continue;
    if (entry.seq === seq) change = entry;
    move = entry;
    orderId = entry.order_id ?? orderId;
    gatewayStatus = entry.gateway_status ?? gatewayStatus;
    attempts = entry.attempt ?? attempts;
  }
  if (!change || !move) return undefined;
  return {
    change,
    payout: {
      ...latest,
      status: move.to,
      order_id: orderId ?? null,
      gateway_status: gatewayStatus ?? null,
      attempts,
      reason: move.reason ?? null,
      reason_code: move.reason_code ?? null,
      next_attempt_at: move === latestMove ? latest.next_attempt_at : null,
      updated_at: change.at,
      seq,
    },
  };
}
