import type { Selectable } from 'kysely';
import { StoreUnavailableError } from '../errors.js';
import type { HistoryEntry } from '../payout/history.js';
import type { Actor, PayoutState } from '../payout/states.js';
import type { ArchiveReader, PayoutView } from '../producer/view.js';
import type { LedgerDb } from './db.js';
import type { PayoutTable } from './schema.js';

/**
 * Reads payouts back from the ledger: the archive behind `GET /v1/payouts/:id`, `payouts status` and
 * the replay of an archived payout's request. A database that cannot answer is a 503 (try again),
 * never a 404: the payout exists, its tombstone says so.
 */
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

export function createLedgerReader(db: LedgerDb): ArchiveReader {
  return {
    async payout(externalId) {
      try {
        const row = await db
          .selectFrom('payouts')
          .selectAll()
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        if (!row) return undefined;
        const transitions = await db
          .selectFrom('payout_transitions')
          .selectAll()
          .where('external_id', '=', externalId)
          .orderBy('seq')
          .execute();
        const history: HistoryEntry[] = transitions.map((t) => ({
          at: new Date(t.at).toISOString(),
          ...(t.from_state ? { from: t.from_state as PayoutState } : {}),
          to: t.to_state as PayoutState,
          event: t.event as HistoryEntry['event'],
          actor: t.actor as Actor,
          seq: t.seq,
          ...(t.attempt !== null ? { attempt: t.attempt } : {}),
          ...(t.gateway_status !== null ? { gateway_status: t.gateway_status } : {}),
          ...(t.order_id !== null ? { order_id: t.order_id } : {}),
          ...(t.reason !== null ? { reason: t.reason } : {}),
          ...(t.reason_code !== null ? { reason_code: t.reason_code } : {}),
          ...(t.who !== null ? { who: t.who } : {}),
          ...(t.note !== null ? { note: t.note } : {}),
          ...(t.contradiction ? { contradiction: true } : {}),
        }));
        return { ...archivedPayoutOf(row), history };
      } catch (err) {
        throw new StoreUnavailableError(err);
      }
    },
  };
}
