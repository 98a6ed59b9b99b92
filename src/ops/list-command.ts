import type { Config } from '../config.js';
import { showAmount } from '../currency/index.js';
import { isPayoutState, PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import { refuse } from './act.js';
import { type CommandSpec, parseCommand, refusal, wholeNumber } from './args.js';
import { span } from './span.js';
import { type Column, formatTable } from './table.js';
import { type CommandDeps, stdio, withStore } from './with-store.js';

/**
 * `payouts list [--status STATE] [--limit N] [--offset N] [--json]`: the payouts in one state
 * (needs_review unless told), oldest first, a page at a time; as a table, or as JSON for a script.
 */

const LIST: CommandSpec<{
  status: { type: 'string' };
  limit: { type: 'string' };
  offset: { type: 'string' };
  json: { type: 'boolean' };
}> = {
  usage: 'payouts list [--status STATE] [--limit N] [--offset N] [--json]',
  options: {
    status: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    json: { type: 'boolean' },
  },
  expects: {
    status: `--status ${PAYOUT_STATES.join('|')}`,
    limit: '--limit N (1 to 10000)',
    offset: '--offset N',
  },
};

export async function list(config: Config, args: string[], io = stdio): Promise<number> {
  const parsed = parseCommand(LIST, args);
  if (!parsed.ok) return refuse(io, parsed.message);
  const state = parsed.values.status ?? 'needs_review';
  if (!isPayoutState(state))
    return refuse(io, refusal(LIST, `--status must be one of ${PAYOUT_STATES.join(', ')}, not '${state}'`));
  const limit = wholeNumber(LIST, 'limit', parsed.values.limit ?? '100', 1, 10_000);
  if (!limit.ok) return refuse(io, limit.message);
  const offset = wholeNumber(LIST, 'offset', parsed.values.offset ?? '0', 0, Number.MAX_SAFE_INTEGER);
  if (!offset.ok) return refuse(io, offset.message);
  return withStore(config, async ({ store }) => {
    const total = (await store.counts())[state];
    const entries = await store.list(state, { limit: limit.n, offset: offset.n });
    const now = Date.now();
    const rows = await listRows(store, entries);
    if (parsed.values.json) {
      io.out(JSON.stringify({ status: state, total, offset: offset.n, payouts: rows }, null, 2));
      return 0;
    }
    const shown = rows.length === 0 ? 'none shown' : `${offset.n + 1}-${offset.n + rows.length} shown`;
    const more =
      offset.n + rows.length < total ? `; --offset ${offset.n + rows.length} for the next page` : '';
    io.out(`${total} payout(s) in ${state}, oldest first: ${shown}${more}`);
    if (rows.length === 0) return 0;
    for (const line of formatTable(rows, listColumns(state, now, config.currencies))) io.out(`  ${line}`);
    return 0;
  });
}

/** The listed payouts as rows (a payout gone since the index was read is left out). */
async function listRows(
  store: CommandDeps['store'],
  entries: Awaited<ReturnType<CommandDeps['store']['list']>>,
) {
  const rows = [];
  for (const { externalId, since } of entries) {
    const r = await store.get(externalId);
    if (r)
      rows.push({
        external_id: externalId,
        status: r.status,
        since: new Date(since).toISOString(),
        reason: r.reason ?? null,
        order_id: r.orderId ?? null,
        amount: r.amount,
        currency: r.currency,
        method: r.method,
        next_attempt_at: r.nextAttemptAt ? new Date(r.nextAttemptAt).toISOString() : null,
      });
  }
  return rows;
}

type Row = Awaited<ReturnType<typeof listRows>>[number];

/** The table's columns; a wait for the next attempt only where the state has one. */
function listColumns(state: PayoutState, now: number, currencies: Config['currencies']): Column<Row>[] {
  return [
    { header: 'EXTERNAL_ID', cell: (r) => r.external_id },
    { header: 'FOR', cell: (r) => span(now - Date.parse(r.since)), align: 'right' },
    ...(state === 'retry_scheduled'
      ? [
          {
            header: 'NEXT ATTEMPT',
            cell: (r: Row) =>
              r.next_attempt_at === null
                ? '-'
                : Date.parse(r.next_attempt_at) <= now
                  ? 'due now'
                  : `in ${span(Date.parse(r.next_attempt_at) - now)} (${r.next_attempt_at.slice(11, 19)} UTC)`,
          },
        ]
      : []),
    {
      header: 'AMOUNT',
      cell: (r) => showAmount(r.amount, r.currency, currencies),
      align: 'right',
    },
    { header: 'METHOD', cell: (r) => r.method },
    { header: 'ORDER_ID', cell: (r) => r.order_id ?? '-' },
    { header: 'REASON', cell: (r) => r.reason ?? '' },
  ];
}
