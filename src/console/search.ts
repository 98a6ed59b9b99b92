import type { Currencies } from '../currency/index.js';
import { NotFoundError } from '../errors.js';
import { PAYOUT_STATES } from '../payout/states.js';
import { type ConsoleReader, type PayoutRow, rowOf } from './rows.js';

/** How many of each state's newest payouts a search by customer_id or order_id reads. */
export const SEARCH_DEPTH = 500;

export type SearchResult = { kind: 'payout'; externalId: string } | { kind: 'rows'; rows: PayoutRow[] };

/**
 * Finds payouts by external_id (exact: that payout's page), else by customer_id or order_id among the
 * newest SEARCH_DEPTH payouts of each state. Redis keeps no index by customer or order: the bound
 * keeps a search from reading every payout ever kept, and the page says how far it looked.
 */
export async function searchPayouts(
  reader: ConsoleReader,
  currencies: Currencies,
  query: string,
  now = Date.now(),
): Promise<SearchResult> {
  const exact = await reader.getPayout(query).catch((err) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
  if (exact) return { kind: 'payout', externalId: exact.external_id };
  const counts = await reader.counts();
  const rows: PayoutRow[] = [];
  for (const state of PAYOUT_STATES) {
    const total = counts[state];
    const entries = await reader.list(state, {
      limit: SEARCH_DEPTH,
      offset: Math.max(0, total - SEARCH_DEPTH),
    });
    for (const { externalId, since } of entries) {
      const view = await reader.getPayout(externalId).catch(() => undefined);
      if (view && (view.customer_id === query || view.order_id === query))
        rows.push(rowOf(view, currencies, now - since, now));
    }
  }
  return { kind: 'rows', rows };
}
