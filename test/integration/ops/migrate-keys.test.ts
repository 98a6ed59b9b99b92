import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { migrateKeys } from '../../../src/ops/migrate-keys.js';
import type { PayoutStore } from '../../../src/payout/store.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testRedis, testStore, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

let redis: Redis;
let store: PayoutStore;
const prefix = uniquePrefix('migrate');

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix, captureLogger().logger);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

/** A payout written by today's code, then put back where an earlier version kept its keys. */
async function createInOldLayout(externalId: string) {
  const v = validatePayoutRequest(cardPayout({ external_id: externalId }));
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  await store.create({ method: v.method, request: v.request, masked: {} });
  await redis.rename(store.keys.history(externalId), `${prefix}:payout:${externalId}:history`);
  await redis.rename(store.keys.payload(externalId), `${prefix}:payout:${externalId}:payload`);
}

test("migrate-keys moves an earlier version's history and payload keys; records whose id ends like one stay", async () => {
  // 'po-m2:payload' is a payout whose external_id ends like a payload key: its record is a hash.
  const ids = ['po-m1', 'po-m2:payload', 'po-m3:history:x'];
  for (const id of ids) await createInOldLayout(id);
  await redis.rpush(`${prefix}:deposit:dep-m1:history`, '{"event":"send"}');
  // A key whose new name is taken is left in place and reported.
  await redis.set(`${prefix}:payout:po-taken:history`, 'old');
  await redis.set(`${prefix}:payout-history:po-taken`, 'new');

  for (const id of ids) expect(await store.history(id)).toEqual([]);
  // A key named like an old history but of another type is left and reported.
  await redis.sadd(`${prefix}:payout:po-odd:history`, 'x');
  const left = {
    conflicts: [`${prefix}:payout:po-taken:history`],
    unexpected: [`${prefix}:payout:po-odd:history`],
  };
  expect(await migrateKeys(redis, prefix, { dryRun: true })).toEqual({ moved: 7, ...left });
  expect(await redis.exists(`${prefix}:payout:po-m1:history`)).toBe(1);

  expect(await migrateKeys(redis, prefix)).toEqual({ moved: 7, ...left });
  for (const id of ids) {
    const record = (await store.get(id))!;
    expect(record.externalId).toBe(id);
    expect(store.gatewayRequest(record).payment_data).toMatchObject({ card_number: '4111111111111111' });
    expect(await store.history(id)).toMatchObject([{ seq: 1, to: 'queued' }]);
  }
  expect(await redis.lrange(`${prefix}:deposit-history:dep-m1`, 0, -1)).toEqual(['{"event":"send"}']);
  expect(await redis.get(`${prefix}:payout-history:po-taken`)).toBe('new');
  // Run again: nothing left to move.
  expect((await migrateKeys(redis, prefix)).moved).toBe(0);
});
