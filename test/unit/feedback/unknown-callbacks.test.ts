import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { expect, test } from 'vitest';
import { listUnknownCallbacks } from '../../../src/feedback/callbacks.js';
import { payoutKeys } from '../../../src/payout/keys.js';
import type { PayoutStore } from '../../../src/payout/store.js';

// A plain list read: no Lua involved, so an in-memory Redis stands in.
test('unknown callbacks are listed newest first, up to the limit', async () => {
  const redis = new RedisMock() as unknown as Redis;
  const store = { keys: payoutKeys('unit') } as PayoutStore;
  const key = `${store.keys.base}:callbacks:unknown`;
  for (const id of ['po-a', 'po-b', 'po-c'])
    await redis.lpush(key, JSON.stringify({ external_id: id, status: 4 }));
  expect(await listUnknownCallbacks(redis, store, 2)).toEqual([
    { external_id: 'po-c', status: 4 },
    { external_id: 'po-b', status: 4 },
  ]);
  expect(await listUnknownCallbacks(redis, store)).toHaveLength(3);
  redis.disconnect();
});
