import type { FastifyInstance } from 'fastify';
import { zodIssues } from '../http/parse-body.js';
import { methodIds } from '../methods/index.js';
import { MAX_EXAMINED } from '../payout/page.js';
import { isPayoutState, PAYOUT_STATES } from '../payout/states.js';
import { listQuery } from '../producer/payout-list.js';
import { requireLogin } from './guard.js';
import type { ConsoleDeps } from './plugin.js';
import { page } from './render.js';
import { rowOf } from './rows.js';
import { STATE_WORDS } from './words.js';

/**
 * The console's payout list (/console/payouts): the API's own list (GET /v1/payouts: the same filters,
 * validation and cursor), newest change first, with a form of its filters. A bad filter shows the
 * form again with the field named (422), never a 500.
 */

const LIST_ROWS = 50;

/** The filters the form offers, as the API names them, and the page's size (a link may set it). */
const FILTERS = ['status', 'method', 'currency', 'customer_id', 'from', 'to', 'limit'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The form's values: empty fields are no filter; a currency is compared in upper case. */
function filtersOf(query: Record<string, unknown>): Filters {
  const out: Filters = {};
  for (const name of FILTERS) {
    const raw = query[name];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value !== '') out[name] = name === 'currency' ? value.toUpperCase() : value;
  }
  return out;
}

/** A link to this list with these filters (and a cursor). */
export function listUrl(filters: Filters, cursor?: string): string {
  const params = new URLSearchParams(filters as Record<string, string>);
  if (cursor) params.set('cursor', cursor);
  const qs = params.toString();
  return qs ? `/console/payouts?${qs}` : '/console/payouts';
}

export function registerConsoleList(app: FastifyInstance, deps: ConsoleDeps): void {
  const { reader, currencies } = deps;
  app.get('/payouts', { schema: { hide: true }, preHandler: requireLogin }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const filters = filtersOf(query);
    const cursor = typeof query.cursor === 'string' && query.cursor !== '' ? query.cursor : undefined;
    const form = {
      title: 'Payouts',
      filters,
      states: PAYOUT_STATES,
      methods: methodIds,
      words: isPayoutState(filters.status) ? STATE_WORDS[filters.status] : undefined,
      examined: MAX_EXAMINED.toLocaleString('en'),
    };
    const parsed = listQuery.safeParse({ limit: LIST_ROWS, ...filters, cursor });
    if (!parsed.success)
      return page(request, reply, 'list', { ...form, issues: zodIssues(parsed.error), rows: [] }, 422);
    const now = Date.now();
    const found = await reader.listPayouts(parsed.data);
    return page(request, reply, 'list', {
      ...form,
      issues: [],
      rows: found.payouts.map((p) => rowOf(p, currencies, now - Date.parse(p.updated_at), now)),
      next: found.next_cursor ? listUrl(filters, found.next_cursor) : undefined,
      first: cursor ? listUrl(filters) : undefined,
    });
  });
}
