import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDurabilityGuard, type DurabilityGuard } from '../../../src/payout/durability.js';
import { startPrivateRedis } from '../../helpers/private-redis.js';
import { startRedisProxy } from '../../helpers/redis-proxy.js';
import { type PrivateRedis, startPrimaryWithReplica } from '../../helpers/replication.js';

/**
 * The guard of REDIS_DURABILITY=replicas:1 against real redis-servers: `other` is a lone primary,
 * `primary` has a replica. A WAIT proves a write replicated only when it runs on the connection, and
 * the session, that made the write.
 */

let other: PrivateRedis;
let pair: { primary: PrivateRedis; replica: PrivateRedis };
beforeAll(async () => {
  [other, pair] = await Promise.all([startPrivateRedis(), startPrimaryWithReplica()]);
});
afterAll(async () => {
  pair.replica.release();
  for (const r of [other, pair.primary, pair.replica]) await r?.stop();
});

async function guardVia(targetPort: number) {
  const proxy = await startRedisProxy(targetPort);
  const redis = new Redis(proxy.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const guard: DurabilityGuard = createDurabilityGuard({
    redis,
    probeKey: 'test:durability-probe',
    // Long enough for a replica on a busy machine to acknowledge: the steps expected durable must
    // not fail for the machine's load; the ones expected not durable only wait this long.
    setting: { level: 'replicas', replicas: 1, timeoutMs: 1_500 },
  });
  return {
    proxy,
    redis,
    guard,
    async close() {
      redis.disconnect();
      await proxy.close();
    },
  };
}

describe('durably() under replicas:1', () => {
  test('a write the replica has: durable', async () => {
    const g = await guardVia(pair.primary.port);
    const { result, durable } = await g.guard.durably(() => g.redis.set('k-ok', '1'));
    expect(result).toBe('OK');
    expect(durable).toBe(true);
    await g.close();
  });

  test('the replica held back: not durable in time', async () => {
    const g = await guardVia(pair.primary.port);
    pair.replica.hold();
    try {
      expect((await g.guard.durably(() => g.redis.set('k-held', '1'))).durable).toBe(false);
    } finally {
      pair.replica.release();
    }
    await g.close();
  });

  test('the connection cut after the write and reopened on a primary that has a replica: not durable', async () => {
    // The write lands on `other`, which has no replica, and then the address moves to `primary`: a
    // WAIT there would count primary's replica and prove nothing about the write, which is gone.
    const g = await guardVia(other.port);
    const { durable } = await g.guard.durably(async () => {
      const res = await g.redis.set('k-moved', '1');
      g.proxy.failOver(pair.primary.port);
      return res;
    });
    expect(durable).toBe(false);
    // The next step on the new session is judged on its own.
    expect((await g.guard.durably(() => g.redis.set('k-after', '1'))).durable).toBe(true);
    await g.close();
  });

  test('a step that wrote nothing (the same request again) waits for what it read, written by another connection', async () => {
    const g = await guardVia(pair.primary.port);
    const writer = new Redis(pair.primary.url);
    pair.replica.hold();
    try {
      await writer.set('k-read', 'written elsewhere, not replicated yet');
      const { result, durable } = await g.guard.durably(() => g.redis.get('k-read'));
      expect(result).toBe('written elsewhere, not replicated yet');
      expect(durable).toBe(false);
    } finally {
      pair.replica.release();
      writer.disconnect();
    }
    expect((await g.guard.durably(() => g.redis.get('k-read'))).durable).toBe(true);
    await g.close();
  });
});
