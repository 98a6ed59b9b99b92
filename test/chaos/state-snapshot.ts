import type { Redis } from 'ioredis';
import { isTerminal, PAYOUT_STATES, type PayoutState } from '../../src/payout/states.js';

/** The payouts' states in Redis while the run drains: counts of every state, the ids of the terminal ones. */

/** Not settled yet: a payout awaiting approval is approved, declined or expires before the run drains. */
export const PENDING: readonly PayoutState[] = [
  'awaiting_approval',
  'queued',
  'sending',
  'retry_scheduled',
  'submitted',
];

export async function stateSnapshot(redis: Redis, index: (s: PayoutState) => string) {
  const pipeline = redis.pipeline();
  for (const s of PAYOUT_STATES) {
    if (isTerminal(s)) pipeline.zrange(index(s), 0, -1);
    else pipeline.zcard(index(s));
  }
  const res = (await pipeline.exec()) ?? [];
  const counts: Record<string, number> = {};
  const terminal = new Map<string, PayoutState>();
  PAYOUT_STATES.forEach((s, i) => {
    const [err, value] = res[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    if (isTerminal(s)) {
      const ids = value as string[];
      counts[s] = ids.length;
      for (const id of ids) terminal.set(id, s);
    } else counts[s] = Number(value);
  });
  return { counts, terminal };
}
