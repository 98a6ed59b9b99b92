import { sql } from 'kysely';
import type { ArchivedPage, ArchivePageQuery } from '../producer/view.js';
import type { LedgerDb } from './db.js';
import { archivedPayoutOf } from './payout-row.js';

/**
 * The archived payouts' part of GET /v1/payouts: payouts the archiver took out of Redis, in the list's
 * own order (when each entered its current state, newest first; equal times by external_id,
 * descending), strictly after a position. `state_at` is the time the Redis index scored the payout
 * with (the same transition wrote both), so a payout keeps its place when it moves to the archive.
 */
export async function archivedPage(db: LedgerDb, q: ArchivePageQuery): Promise<ArchivedPage> {
  let query = db.selectFrom('payouts').selectAll().where('archived_at', 'is not', null);
  if (q.state) query = query.where('status', '=', q.state);
  if (q.customerId) query = query.where('customer_id', '=', q.customerId);
  if (q.method) query = query.where('method', '=', q.method);
  if (q.currency) query = query.where('currency', '=', q.currency);
  if (q.createdFrom !== undefined) query = query.where('created_at', '>=', new Date(q.createdFrom));
  if (q.createdBefore !== undefined) query = query.where('created_at', '<', new Date(q.createdBefore));
  // Byte-wise, as Redis orders equal scores, whatever the database's collation.
  const id = sql<string>`external_id collate "C"`;
  const after = q.after;
  if (after) {
    query = query.where((eb) =>
      eb(eb.tuple(eb.ref('state_at'), id), '<', eb.tuple(new Date(after.score), after.externalId)),
    );
  }
  const rows = await query.orderBy('state_at', 'desc').orderBy(id, 'desc').limit(q.limit).execute();
  return rows.map((row) => ({
    position: { score: new Date(row.state_at).getTime(), externalId: row.external_id },
    payout: archivedPayoutOf(row),
  }));
}
