import type { DepositState } from './states.js';

/** A deposit as the API shows it: its record's fields, the payment data masked. */

export interface DepositView {
  external_id: string;
  method: string;
  status: DepositState;
  gateway_status: number | null;
  order_id: string | null;
  redirect: string | null;
  amount: number;
  currency: string;
  payment_data: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** The view of a deposit's record, or undefined when its hash has no status (no such deposit). */
export function depositView(id: string, h: Record<string, string>): DepositView | undefined {
  if (!h.status) return undefined;
  return {
    external_id: id,
    method: h.method ?? '',
    status: h.status as DepositState,
    gateway_status: h.gateway_status ? Number(h.gateway_status) : null,
    order_id: h.order_id ?? null,
    redirect: h.redirect ?? null,
    amount: Number(h.amount),
    currency: h.currency ?? '',
    payment_data: JSON.parse(h.masked ?? '{}') as Record<string, string>,
    created_at: new Date(Number(h.created_at)).toISOString(),
    updated_at: new Date(Number(h.updated_at)).toISOString(),
  };
}
