import { afterAll, beforeAll } from 'vitest';
import { validatePayoutRequest } from '../../../src/methods/index.js';
import { PAYOUT_STATES, type PayoutState } from '../../../src/payout/states.js';
import { createPayoutStore } from '../../../src/payout/store.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';

/**
 * What the payout store's tests share: a store on the real Redis under a prefix of its own
 * (uniquePrefix(name), so test files running side by side never see each other's keys), sealing
 * with a payload key of its own and logging to a captured log, and the ways they make payouts.
 * Registers the calling file's hooks: beforeAll connects (the connection is made lazily, so the
 * store can be built now and handed out), afterAll deletes the prefix and disconnects.
 */
export function useStore(name: string) {
  const redis = testRedis({ lazyConnect: true });
  const prefix = uniquePrefix(name);
  const log = captureLogger();
  const payloadKeys = { current: testPayloadKey(), previous: [] };
  const store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys,
    logger: log.logger,
    notify: true,
  });

  /** Every external_id this file created, to find their keys anywhere in Redis. */
  const created = new Set<string>();

  async function createPayout(overrides: Record<string, unknown> = {}) {
    const v = validatePayoutRequest(cardPayout(overrides));
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    created.add(v.request.external_id);
    return store.create({
      method: v.method,
      request: v.request,
      masked: { card_number: '411111******1111' },
    });
  }

  /** Test-only: puts a record into a state directly, as if the transitions had happened. */
  async function forceState(externalId: string, state: PayoutState) {
    const keys = store.keys;
    await redis.hset(keys.record(externalId), 'status', state, 'token', 'tok-1');
    for (const s of PAYOUT_STATES) await redis.zrem(keys.stateIndex(s), externalId);
    await redis.zadd(keys.stateIndex(state), Date.now(), externalId);
  }

  /**
   * A claim, read as a move of the table (claim() is the one way a payout is taken to sending): where
   * it moved from is read back from the history the claim wrote.
   */
  async function claimAsMove(externalId: string) {
    const claim = await store.claim(externalId, Date.now());
    if (!claim.ok) return { ok: false, current: claim.current };
    const entry = (await store.history(externalId)).at(-1);
    return { ok: true, from: entry?.from, to: claim.record.status };
  }

  beforeAll(async () => {
    await redis.connect();
  });
  afterAll(async () => {
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  return { redis, store, prefix, log, payloadKeys, created, createPayout, forceState, claimAsMove };
}
