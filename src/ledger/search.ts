import { z } from 'zod';
import {
  EXTERNAL_ID_MESSAGE,
  EXTERNAL_ID_PATTERN,
  NO_CONTROL_CHARACTERS,
  noControlCharacters,
} from '../methods/index.js';
import type { PayoutView } from '../producer/view.js';
import type { LedgerDb } from './db.js';
import { archivedPayoutOf } from './payout-row.js';

/**
 * Search over the ledger's payouts (archived or not) by external_id, customer_id, order_id and the
 * day of creation, newest first; each filter has its index (migrations.ts).
 */

const day = z.iso.date({ error: 'must be a day, YYYY-MM-DD' });
export const archiveQuery = z
  .object({
    external_id: z.string().regex(EXTERNAL_ID_PATTERN, EXTERNAL_ID_MESSAGE).optional(),
    // No payout's customer_id or order_id holds a control character, and PostgreSQL takes no NUL in
    // text: refused as the client's mistake, not answered 503.
    customer_id: z.string().min(1).max(200).refine(noControlCharacters, NO_CONTROL_CHARACTERS).optional(),
    order_id: z.string().min(1).max(200).refine(noControlCharacters, NO_CONTROL_CHARACTERS).optional(),
    from: day.optional(),
    to: day.optional(),
    limit: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(500).default(50),
  })
  .strict();
export type ArchiveQuery = z.infer<typeof archiveQuery>;

export type ArchivedPayout = Omit<PayoutView, 'history'>;

export async function searchPayouts(db: LedgerDb, q: ArchiveQuery): Promise<ArchivedPayout[]> {
  let query = db.selectFrom('payouts').selectAll();
  if (q.external_id) query = query.where('external_id', '=', q.external_id);
  if (q.customer_id) query = query.where('customer_id', '=', q.customer_id);
  if (q.order_id) query = query.where('order_id', '=', q.order_id);
  if (q.from) query = query.where('created_at', '>=', new Date(`${q.from}T00:00:00.000Z`));
  if (q.to)
    query = query.where('created_at', '<', new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86_400_000));
  const rows = await query.orderBy('created_at', 'desc').limit(q.limit).execute();
  return rows.map(archivedPayoutOf);
}
