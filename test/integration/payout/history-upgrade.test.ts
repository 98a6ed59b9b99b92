import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { createPayoutStore, type PayoutStore } from '../../../src/payout/store.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

let redis: Redis;
let store: PayoutStore;
const prefix = uniquePrefix('history-upgrade');

beforeAll(() => {
  redis = testRedis();
  store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger: captureLogger().logger,
  });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

test('a payout whose history an earlier version wrote (names spelled out) moves on, and reads whole', async () => {
  const v = validatePayoutRequest(cardPayout({ external_id: 'po-upgrade-1' }));
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  await store.create({ method: v.method, request: v.request, masked: {} });
  // As the previous version stored it: decimal epoch ms and full names.
  await redis.set(store.keys.history('po-upgrade-1'), '1|1795527975900||queued||created|producer|');

  const claim = await store.claim('po-upgrade-1', Date.now());
  expect(claim.ok).toBe(true);
  const raw = await redis.get(store.keys.history('po-upgrade-1'));
  expect(raw?.split('\n')).toHaveLength(2);
  // The new line is the compact one: `to` is a one-letter code.
  expect(raw?.split('\n')[1]?.split('|')[3]).toHaveLength(1);

  const history = await store.history('po-upgrade-1');
  expect(history).toEqual([
    { at: new Date(1795527975900).toISOString(), to: 'queued', event: 'created', actor: 'producer', seq: 1 },
    expect.objectContaining({
      from: 'queued',
      to: 'sending',
      event: 'claim',
      actor: 'worker',
      seq: 2,
      attempt: 1,
    }),
  ]);
  expect(Date.parse(history[1]!.at)).toBeGreaterThan(Date.now() - 60_000);
});
