import type { Redis } from 'ioredis';
import { decodeEntry } from '../payout/history.js';
import type { PayoutKeys } from '../payout/keys.js';
import type { Group } from './outbox-entry.js';
import { depositRows, payoutRows } from './rows.js';

/**
 * Reads what the groups name, in one MULTI so a record and its history agree, and turns it into
 * their rows; a group whose Redis side cannot be read is marked refused.
 */
export async function readGroups(
  deps: { redis: Redis; queuePrefix: string; keys: PayoutKeys },
  groups: Group[],
): Promise<void> {
  const { keys } = deps;
  const multi = deps.redis.multi();
  for (const g of groups) {
    if (g.kind === 'payout') multi.hgetall(keys.record(g.id)).get(keys.history(g.id));
    else multi.lrange(keys.depositHistory(g.id), 0, -1);
  }
  const res = (await multi.exec()) ?? [];
  const failed = res.find(([err]) => err);
  if (failed) throw failed[0];
  let i = 0;
  for (const g of groups) {
    try {
      if (g.kind === 'payout') {
        const h = res[i++]?.[1] as Record<string, string>;
        const raw = res[i++]?.[1] as string | null;
        // Absent: archived, which the archiver does only once the ledger holds every change.
        if (!h.status || !raw) continue;
        const rows = payoutRows(g.id, h, raw.split('\n').map(decodeEntry));
        g.transitions = rows.transitions;
        g.current = rows.current;
      } else {
        g.deposits = depositRows(g.id, res[i++]?.[1] as string[]);
      }
    } catch (err) {
      g.refused = err;
    }
  }
}
