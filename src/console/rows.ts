import type { Currencies } from '../currency/index.js';
import { showAmount } from '../currency/index.js';
import type { HistoryEntry } from '../payout/history.js';
import type { PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import type { Producer } from '../producer/producer.js';
import type { PayoutView } from '../producer/view.js';
import { age } from './words.js';

/** What the console's lists and timelines show, computed here so templates only lay them out. */

export interface PayoutRow {
  externalId: string;
  status: string;
  amount: string;
  method: string;
  paymentSystem: string;
  customerId: string;
  orderId: string;
  reason: string;
  /** How long it has been in its state. */
  inState: string;
  nextAttempt: string;
}

export interface ConsoleReader {
  counts: PayoutStore['counts'];
  list: PayoutStore['list'];
  getPayout: Producer['getPayout'];
  listPayouts: Producer['listPayouts'];
  contradictions: PayoutStore['contradictions'];
  /** Whether Redis holds the payout; one getPayout found but Redis does not was read from the ledger. */
  inRedis: (externalId: string) => Promise<boolean>;
}

/** A page of the payouts in one state, oldest move first (the ones waiting longest lead). */
export async function rowsInState(
  reader: ConsoleReader,
  currencies: Currencies,
  state: PayoutState,
  opts: { limit: number; offset?: number },
  now = Date.now(),
): Promise<PayoutRow[]> {
  const entries = await reader.list(state, { limit: opts.limit, offset: opts.offset ?? 0 });
  const rows: PayoutRow[] = [];
  for (const { externalId, since } of entries) {
    const view = await reader.getPayout(externalId).catch(() => undefined);
    if (view) rows.push(rowOf(view, currencies, now - since, now));
  }
  return rows;
}

export function rowOf(
  view: Omit<PayoutView, 'history'>,
  currencies: Currencies,
  inStateMs: number,
  now = Date.now(),
): PayoutRow {
  const next = view.next_attempt_at ? Date.parse(view.next_attempt_at) : undefined;
  return {
    externalId: view.external_id,
    status: view.status,
    amount: showAmount(view.amount, view.currency, currencies),
    method: view.method,
    paymentSystem: view.payment_system,
    customerId: view.customer_id,
    orderId: view.order_id ?? '',
    reason: view.reason ?? '',
    inState: age(inStateMs),
    nextAttempt:
      next === undefined ? '' : next <= now ? 'due now' : `in ${age(next - now)} (${view.next_attempt_at})`,
  };
}

/** A contradicted payout on the overview: the payout, when the gateway contradicted it, and what it said. */
export interface ContradictionRow extends PayoutRow {
  raised: string;
  said: string;
}

/** The newest contradicted payouts, the latest raised first, and how many are kept in all. */
export async function contradictionRows(
  reader: ConsoleReader,
  currencies: Currencies,
  limit: number,
  now = Date.now(),
): Promise<{ total: number; rows: ContradictionRow[]; unread: string[] }> {
  const { total, newest } = await reader.contradictions(limit);
  const rows: ContradictionRow[] = [];
  // Not readable just now (Redis or the ledger did not answer, or archived without a ledger): named,
  // never silently left out of a list whose heading counts them.
  const unread: string[] = [];
  for (const { externalId, at } of newest) {
    const view = await reader.getPayout(externalId).catch(() => undefined);
    if (!view) {
      unread.push(externalId);
      continue;
    }
    const last = view.history.filter((e) => e.contradiction).at(-1);
    rows.push({
      ...rowOf(view, currencies, now - Date.parse(view.updated_at), now),
      raised: `${age(now - at)} ago`,
      // The contradiction's reason names what the gateway reported; the gateway status is the fallback.
      said: last ? (last.reason ?? timeline([last])[0]!.gateway) : '',
    });
  }
  return { total, rows, unread };
}

export interface TimelineRow {
  at: string;
  move: string;
  by: string;
  attempt: string;
  gateway: string;
  reason: string;
  note: string;
  contradiction: boolean;
}

/** A payout's history as a timeline: each change with who made it and what the gateway said. */
export function timeline(history: readonly HistoryEntry[]): TimelineRow[] {
  return history.map((e) => ({
    at: e.at,
    move:
      e.event === 'gateway_report'
        ? `${e.to} (no move: ${e.contradiction ? 'contradicting report' : 'late answer'})`
        : `${e.from ? `${e.from} → ` : ''}${e.to} (${e.event})`,
    by: e.who ? `${e.actor}: ${e.who}` : e.actor,
    attempt: e.attempt === undefined ? '' : String(e.attempt),
    gateway: [
      e.gateway_status === undefined ? '' : `status ${e.gateway_status}`,
      e.order_id ? `order ${e.order_id}` : '',
    ]
      .filter(Boolean)
      .join(', '),
    reason: [e.reason_code, e.reason].filter(Boolean).join(': '),
    note: e.note ?? '',
    contradiction: e.contradiction === true,
  }));
}
