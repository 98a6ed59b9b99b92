import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { migrateKeys } from '../../../src/ops/migrate-keys.js';
import { connectRedis } from '../../../src/redis.js';
import { startRedisCluster } from '../../helpers/redis-cluster.js';
import { cardPayout } from '../../helpers/requests.js';
import { postUntilNot503, startTestSystem, type TestSystem } from '../../helpers/system.js';

let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let sys: TestSystem;

beforeAll(async () => {
  cluster = await startRedisCluster();
  sys = await startTestSystem({ env: { REDIS_URL: cluster.url, REDIS_CLUSTER: 'true' } });
}, 60_000);
afterAll(async () => {
  await sys?.close();
  await cluster?.stop();
});

test('payouts run end to end across a 3-master Redis Cluster', async () => {
  const markers = ['', '+instant', '+decline', '+503x1+retry-after=0', '+500+no-callback', '+unknown'];
  const expected = ['succeeded', 'succeeded', 'failed', 'succeeded', 'needs_review', 'succeeded'];
  const ids = markers.map(() => `po-${randomBytes(6).toString('hex')}`);
  for (const [i, marker] of markers.entries()) {
    const body = cardPayout({
      external_id: ids[i],
      customer: { customer_id: `p${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
    });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(200);
  }
  for (const [i, id] of ids.entries()) {
    const done = await sys.waitFor(id, (p) => p.status === expected[i], 20_000);
    expect(done.status).toBe(expected[i]);
    expect(sys.sandbox.received(id)?.created).toBe(1);
  }
  const ready = await fetch(`${sys.api}/readyz`);
  expect(ready.status).toBe(200);
});

test('migrate-keys finds the old layout on whichever master holds it, and moves it', async () => {
  const body = cardPayout({
    external_id: `po-${randomBytes(6).toString('hex')}`,
    customer: { customer_id: 'p+no-callback', country: 'LV', first_name: 'A', last_name: 'B' },
  });
  await sys.request('POST', '/v1/payouts', body);
  await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
  const redis = connectRedis({ url: cluster.url, cluster: true }, 'worker');
  try {
    const { keys } = sys.system.store;
    const base = sys.config.queuePrefix;
    await redis.rename(keys.history(body.external_id), `${base}:payout:${body.external_id}:history`);
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.history).toEqual([]);
    expect(await migrateKeys(redis, base)).toEqual({ moved: 1, conflicts: [], unexpected: [] });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.history.map((h: { to: string }) => h.to)).toEqual(['queued', 'sending', 'submitted']);
  } finally {
    redis.disconnect();
  }
});

test('REDIS_DURABILITY=replicas:1 waits on the shard of the hash tag: 503 while it has no replica, sent once it has one', async () => {
  const prefix = `durable-${randomBytes(4).toString('hex')}`;
  const durable = await startTestSystem({
    env: {
      REDIS_URL: cluster.url,
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: prefix,
      REDIS_DURABILITY: 'replicas:1',
      REDIS_DURABILITY_TIMEOUT_MS: '200',
    },
  });
  try {
    const body = cardPayout();
    const refused = await durable.request('POST', '/v1/payouts', body);
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toContain('outcome unknown, retry the same request');
    // A replica for the shard that holds {prefix} only: a WAIT sent to any other master counts none.
    await cluster.addReplicaFor(`{${prefix}}`);
    expect((await postUntilNot503(durable, '/v1/payouts', body)).status).toBe(200);
    await durable.waitFor(body.external_id, (p) => p.status === 'succeeded', 20_000);
    expect(durable.sandbox.received(body.external_id)?.requests).toBe(1);
  } finally {
    await durable.close();
  }
}, 90_000);
