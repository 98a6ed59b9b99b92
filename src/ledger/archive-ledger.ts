import type { LedgerDb } from './db.js';

/** The ledger's side of archival: whether it holds a payout whole, and the mark of an archived payout. */

/** The ids of `ids` whose every change up to `seqs[id]` is in the ledger. */
export async function heldWhole(
  db: LedgerDb,
  ids: string[],
  seqs: Map<string, number>,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const counts = await db
    .selectFrom('payout_transitions')
    .select(['external_id', (eb) => eb.fn.countAll<string>().as('n'), (eb) => eb.fn.max('seq').as('max')])
    .where('external_id', 'in', ids)
    .groupBy('external_id')
    .execute();
  const currents = await db
    .selectFrom('payouts')
    .select(['external_id', 'seq'])
    .where('external_id', 'in', ids)
    .execute();
  const currentSeq = new Map(currents.map((r) => [r.external_id, r.seq]));
  const held = new Set<string>();
  for (const c of counts) {
    const seq = seqs.get(c.external_id);
    if (
      seq !== undefined &&
      Number(c.n) === seq &&
      Number(c.max) === seq &&
      currentSeq.get(c.external_id) === seq
    )
      held.add(c.external_id);
  }
  return held;
}

/** Sets or clears the archival mark the list route reads archived payouts by (archived-page.ts). */
export async function markArchived(db: LedgerDb, ids: string[], archived: boolean): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('payouts')
    .set({ archived_at: archived ? new Date() : null })
    .where('external_id', 'in', ids)
    .execute();
}
