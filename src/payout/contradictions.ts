import type { Redis } from 'ioredis';
import type { PayoutKeys } from './keys.js';

/**
 * The payouts a gateway report contradicted (a report against a final state, or naming another order
 * than the recorded one), read from the index the contradiction's own script writes (scripts.ts NOTE):
 * the console's overview lists them among what needs a person. A payout archived out of Redis is
 * added by `listContradicted` when its contradiction is noted in the ledger. Nothing else writes it: a
 * payout that was never contradicted costs nothing.
 */

export interface Contradicted {
  externalId: string;
  /** When its latest contradiction was raised (epoch ms). */
  at: number;
}

/** The newest `limit` contradicted payouts, the latest raised first, and how many the index holds. */
export async function readContradictions(
  redis: Redis,
  keys: PayoutKeys,
  limit: number,
): Promise<{ total: number; newest: Contradicted[] }> {
  const res = await redis
    .pipeline()
    .zcard(keys.contradictions)
    .zrevrange(keys.contradictions, 0, limit - 1, 'WITHSCORES')
    .exec();
  const failed = res?.find(([err]) => err);
  if (!res || failed) throw failed?.[0] ?? new Error('reading the contradictions index failed');
  const raw = res[1]![1] as string[];
  const newest: Contradicted[] = [];
  for (let i = 0; i < raw.length; i += 2) newest.push({ externalId: raw[i]!, at: Number(raw[i + 1]) });
  return { total: Number(res[0]![1]), newest };
}

/** Puts a payout in the index (a contradiction noted outside the record's scripts), keeping the newest `kept`. */
export async function listContradicted(
  redis: Redis,
  keys: PayoutKeys,
  externalId: string,
  at: number,
  kept: number,
): Promise<void> {
  const res = await redis
    .multi()
    .zadd(keys.contradictions, at, externalId)
    .zremrangebyrank(keys.contradictions, 0, -(kept + 1))
    .exec();
  const failed = res?.find(([err]) => err);
  if (!res || failed) throw failed?.[0] ?? new Error('writing the contradictions index failed');
}
