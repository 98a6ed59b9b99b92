import type { LedgerDb } from './db.js';
import type { Group } from './outbox-entry.js';
import { isRowError } from './refused.js';
import { CURRENT_COLUMNS } from './rows.js';

/** The groups' rows into PostgreSQL: insert or nothing, so a row written twice is one row. */

async function write(db: LedgerDb, groups: Group[]): Promise<void> {
  const transitions = groups.flatMap((g) => g.transitions);
  const currents = groups.flatMap((g) => (g.current ? [g.current] : []));
  const deposits = groups.flatMap((g) => g.deposits);
  await db.transaction().execute(async (tx) => {
    if (transitions.length > 0) {
      await tx
        .insertInto('payout_transitions')
        .values(transitions)
        .onConflict((oc) => oc.columns(['external_id', 'seq']).doNothing())
        .execute();
    }
    if (currents.length > 0) {
      await tx
        .insertInto('payouts')
        .values(currents)
        // One statement for the batch; a change read later than a newer one never overwrites it.
        .onConflict((oc) =>
          oc
            .column('external_id')
            .doUpdateSet((eb) => {
              const set: Record<string, unknown> = {};
              for (const column of CURRENT_COLUMNS) set[column] = eb.ref(`excluded.${column}`);
              return set as never;
            })
            .whereRef('payouts.seq', '<', 'excluded.seq'),
        )
        .execute();
    }
    if (deposits.length > 0) {
      await tx
        .insertInto('deposit_transitions')
        .values(deposits)
        .onConflict((oc) => oc.columns(['external_id', 'seq']).doNothing())
        .execute();
    }
  });
}

/**
 * Writes the readable groups in one transaction; when the database refuses a row, each group alone,
 * marking the refused ones. Any other failure (the database away) throws: nothing is marked then.
 */
export async function writeGroups(db: LedgerDb, groups: Group[]): Promise<void> {
  const readable = groups.filter((g) => g.refused === undefined);
  try {
    await write(db, readable);
  } catch (err) {
    if (!isRowError(err)) throw err;
    for (const g of readable) {
      try {
        await write(db, [g]);
      } catch (one) {
        if (!isRowError(one)) throw one;
        g.refused = one;
      }
    }
  }
}
