import type { HistoryEntry } from '../payout/history.js';
import type { PayoutState } from '../payout/states.js';
import type { ArchivedNote } from '../producer/view.js';
import type { LedgerDb } from './db.js';

/**
 * A note on a payout archived out of Redis, written to the ledger directly: Redis no longer holds the
 * payout, so the ledger is its only record. The next seq is taken under the payout row's lock, so two
 * callbacks at once get two seqs; the note moves nothing (state and state_at stay), only seq and
 * updated_at, as a note does in Redis.
 */
export async function noteArchived(
  db: LedgerDb,
  externalId: string,
  entry: ArchivedNote,
  now = new Date(),
): Promise<HistoryEntry | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('payouts')
      .select(['seq', 'status'])
      .where('external_id', '=', externalId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return undefined;
    const seq = row.seq + 1;
    const { event, actor, ...extras } = entry;
    await tx
      .insertInto('payout_transitions')
      .values({
        external_id: externalId,
        seq,
        at: now,
        from_state: row.status,
        to_state: row.status,
        event,
        actor,
        gateway_status: extras.gateway_status ?? null,
        order_id: extras.order_id ?? null,
        reason: extras.reason ?? null,
        reason_code: extras.reason_code ?? null,
        contradiction: extras.contradiction === true,
      })
      .execute();
    await tx
      .updateTable('payouts')
      .set({ seq, updated_at: now })
      .where('external_id', '=', externalId)
      .execute();
    const state = row.status as PayoutState;
    return { at: now.toISOString(), from: state, to: state, event, actor, seq, ...extras };
  });
}
