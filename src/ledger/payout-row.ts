import type { Selectable } from 'kysely';
import type { PayoutView } from '../producer/view.js';
import type { PayoutTable } from './schema.js';

/** A payout's current row as the API shows a payout, without its history. */
export function archivedPayoutOf(row: Selectable<PayoutTable>): Omit<PayoutView, 'history'> {
  return {
    external_id: row.external_id,
    method: row.method,
    payment_system: row.payment_system,
    amount: Number(row.amount),
    currency: row.currency,
    customer_id: row.customer_id,
    status: row.status,
    order_id: row.order_id,
    gateway_status: row.gateway_status,
    attempts: row.attempts,
    reason: row.reason,
    reason_code: row.reason_code,
    next_attempt_at: null,
    // Only finished payouts are archived: a schedule no longer says anything.
    not_before: null,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    seq: row.seq,
    payment_data: row.payment_data,
  };
}
