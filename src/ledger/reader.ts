import { StoreUnavailableError } from '../errors.js';
import { EXTERNAL_ID_PATTERN } from '../methods/index.js';
import type { HistoryEntry } from '../payout/history.js';
import type { Actor, PayoutState } from '../payout/states.js';
import type { ArchiveReader } from '../producer/view.js';
import { noteArchived } from './archived-note.js';
import { archivedPage } from './archived-page.js';
import type { LedgerDb } from './db.js';
import { archivedPayoutOf } from './payout-row.js';

/**
 * Reads payouts back from the ledger: the archive behind `GET /v1/payouts/:id`, `payouts status`, the
 * list and the replay of an archived payout's request; and notes a callback's contradiction on one. A database that cannot answer is a 503 (try again),
 * never a 404: the payout exists, its tombstone says so.
 */
export function createLedgerReader(db: LedgerDb): ArchiveReader {
  return {
    async payout(externalId) {
      // Every payout's external_id matches the pattern: another (one typed in the console or the CLI,
      // perhaps with a NUL PostgreSQL refuses in text) names none, and is not the ledger's failure.
      if (!EXTERNAL_ID_PATTERN.test(externalId)) return undefined;
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
    async page(query) {
      try {
        return await archivedPage(db, query);
      } catch (err) {
        throw new StoreUnavailableError(err);
      }
    },
    async note(externalId, entry) {
      try {
        return await noteArchived(db, externalId, entry);
      } catch (err) {
        throw new StoreUnavailableError(err);
      }
    },
  };
}
