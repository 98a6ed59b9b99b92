import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keysOf, testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { type Client, createClient } from './fuzz-client.js';

/** Payout records and histories stored under the system's prefix. */
export async function storedPayoutKeys(sys: TestSystem): Promise<string[]> {
  const redis = testRedis();
  try {
    const base = sys.system.store.keys.base;
    return (await keysOf(redis, sys.config.queuePrefix)).filter((k) => k.startsWith(`${base}:payout:`));
  } finally {
    redis.disconnect();
  }
}

/**
 * Everything a callback could change about the given payouts, in one round trip: each record's fields,
 * its history, and the list of callbacks kept for unknown ids.
 */
export function payoutSnapshot(sys: TestSystem, redis: Redis, externalIds: readonly string[]) {
  const { keys } = sys.system.store;
  return async (): Promise<string> => {
    const pipeline = redis.pipeline();
    for (const id of externalIds) {
      pipeline.hgetall(keys.record(id));
      pipeline.get(keys.history(id));
    }
    pipeline.lrange(`${keys.base}:callbacks:unknown`, 0, -1);
    const results = (await pipeline.exec()) ?? [];
    return JSON.stringify(
      results.map(([err, value]) => {
        if (err) throw err;
        return value;
      }),
    );
  };
}

/**
 * Payouts the gateway accepted but will never call back about (`+no-callback`): they sit in `submitted`,
 * where a genuine final callback would move them, so any callback that slips through shows.
 */
export async function submittedPayouts(sys: TestSystem, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = cardPayout({
      external_id: `fuzz-${i}-${randomBytes(4).toString('hex')}`,
      customer: { customer_id: `fuzz+no-callback`, country: 'LV', first_name: 'Fuzz', last_name: 'Target' },
    });
    const res = await sys.request('POST', '/v1/payouts', body);
    if (res.status !== 202)
      throw new Error(`seeding a payout failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(body.external_id);
  }
  for (const id of ids) await sys.waitFor(id, (p) => p.status === 'submitted');
  return ids;
}

/**
 * What the callback fuzz files aim at: a running system with three submitted payouts (a genuine final
 * callback would move them) and a snapshot of their records, to prove a refused callback changed nothing.
 */
export async function startCallbackTarget() {
  const sys = await startTestSystem();
  const client: Client = createClient(sys.api);
  const redis = testRedis();
  const ids = await submittedPayouts(sys, 3);
  const snapshot = payoutSnapshot(sys, redis, ids);
  const before = await snapshot();
  return {
    sys,
    client,
    ids,
    snapshot,
    before,
    async close() {
      client.close();
      redis.disconnect();
      await sys.close();
    },
  };
}
