import type { Insertable } from 'kysely';
import type { HistoryEntry } from '../payout/history.js';
import type { DepositTransitionTable, PayoutTable, PayoutTransitionTable } from './schema.js';

/**
 * What one payout or deposit, as Redis holds it now, is in the ledger: every change of its history as
 * a row keyed (external_id, seq), and a payout's current row. Always the whole history, so a write is
 * all of one payout's rows or none of them, in whatever order its outbox entries came.
 */

const MASKED = 'm:';
/** Every column of the current row but its key and archival mark: what a newer change rewrites. */
export const CURRENT_COLUMNS = [
  'method',
  'payment_system',
  'amount',
  'currency',
  'customer_id',
  'country',
  'status',
  'order_id',
  'gateway_status',
  'attempts',
  'reason',
  'reason_code',
  'payment_data',
  'seq',
  'created_at',
  'updated_at',
  'state_at',
] as const satisfies readonly Exclude<keyof PayoutTable, 'external_id' | 'archived_at'>[];
const ms = (v: string | undefined) => new Date(Number(v ?? 0));

export function payoutRows(
  externalId: string,
  h: Record<string, string>,
  history: HistoryEntry[],
): { transitions: Insertable<PayoutTransitionTable>[]; current: Insertable<PayoutTable> } {
  const transitions = history.map((e) => ({
    external_id: externalId,
    seq: e.seq,
    at: e.at,
    from_state: e.from ?? null,
    to_state: e.to,
    event: e.event,
    actor: e.actor,
    attempt: e.attempt ?? null,
    gateway_status: e.gateway_status ?? null,
    order_id: e.order_id ?? null,
    reason: e.reason ?? null,
    reason_code: e.reason_code ?? null,
    who: e.who ?? null,
    note: e.note ?? null,
    contradiction: e.contradiction === true,
  }));
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(h))
    if (name.startsWith(MASKED)) masked[name.slice(MASKED.length)] = value;
  // Notes (a contradiction, a late answer) move nothing.
  const lastMove = history.filter((e) => e.event !== 'gateway_report').at(-1);
  const current: Insertable<PayoutTable> = {
    external_id: externalId,
    method: h.method ?? '',
    payment_system: h.payment_system ?? '',
    amount: h.amount ?? '0',
    currency: h.currency ?? '',
    customer_id: h.customer_id ?? '',
    country: h.country ?? '',
    status: h.status ?? '',
    order_id: h.order_id ?? null,
    gateway_status: h.gateway_status ? Number(h.gateway_status) : null,
    attempts: Number(h.attempts ?? 0),
    reason: h.reason ?? null,
    reason_code: h.reason_code ?? null,
    payment_data: JSON.stringify(masked),
    seq: Number(h.seq ?? 0),
    created_at: ms(h.created_at),
    updated_at: ms(h.updated_at),
    state_at: lastMove ? lastMove.at : ms(h.updated_at),
  };
  return { transitions, current };
}

/** A deposit's history lines (deposits keep JSON lines) as rows; seq is the line's place, from 1. */
export function depositRows(externalId: string, lines: string[]): Insertable<DepositTransitionTable>[] {
  return lines.map((line, n) => {
    const e = JSON.parse(line) as Record<string, unknown> & { at: string; from?: string; to: string };
    const { at, from, to, ...rest } = e;
    return {
      external_id: externalId,
      seq: n + 1,
      at,
      from_state: from || null,
      to_state: to,
      entry: JSON.stringify(rest),
    };
  });
}
