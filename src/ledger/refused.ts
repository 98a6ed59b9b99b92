import type { Redis } from 'ioredis';
import { runScript } from '../redis.js';

/**
 * Outbox entries whose rows the database refuses (a data or constraint error: this payout's rows, not
 * the database) or that cannot be read. They are moved off the outbox's head to a list of their own,
 * so one bad payout never holds back the others, and tried again from there until written: never
 * skipped, never dropped. A payout's rows are always written whole (rows.ts), so moving its entries
 * aside cannot write any of its changes out of order, and the archiver never archives a payout the
 * ledger does not hold whole. The list's length is a metric (metrics.ts) with an alert in the runbook.
 */

export const refusedKey = (ledgerOutbox: string) => `${ledgerOutbox}:refused`;

/** SQLSTATE classes of a refusal of these rows: 22 data exception, 23 constraint, 54 a row over a limit. */
export const isRowError = (err: unknown) =>
  /^(22|23|54)/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/**
 * Moves entries from the outbox to the refused list, each only if it is still in the outbox: two
 * writers refusing the same entry move it once. KEYS: outbox, refused list. ARGV: the entries.
 */
const REFUSE = `
local moved = 0
for _, raw in ipairs(ARGV) do
  if redis.call('LREM', KEYS[1], 1, raw) == 1 then
    redis.call('RPUSH', KEYS[2], raw)
    moved = moved + 1
  end
end
return moved
`;

export async function moveToRefused(redis: Redis, ledgerOutbox: string, raws: string[]): Promise<void> {
  if (raws.length > 0) await runScript(redis, REFUSE, 2, ledgerOutbox, refusedKey(ledgerOutbox), ...raws);
}

/**
 * Moves entries still refused to the refused list's tail (the same script, from the list to itself),
 * so the next try takes the ones behind them: a batch of entries that stay refused (or can never be
 * read) at the head would otherwise be all any try ever reads.
 */
export async function rotateRefused(redis: Redis, ledgerOutbox: string, raws: string[]): Promise<void> {
  const list = refusedKey(ledgerOutbox);
  if (raws.length > 0) await runScript(redis, REFUSE, 2, list, list, ...raws);
}

/**
 * What a log line adds to the database's error (logged as `err`: its message and SQLSTATE code): the
 * constraint, table and column it names; never its `detail`, which quotes the failing row.
 */
export function refusalNames(err: unknown): Record<string, string> {
  const e = (err ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const field of ['constraint', 'table', 'column'] as const)
    if (typeof e[field] === 'string') out[field] = e[field];
  return out;
}
