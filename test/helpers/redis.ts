import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { type PayloadKey, payloadKeyId } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { createPayoutStore, type PayoutStore } from '../../src/payout/store.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix of its own for each test, so tests never see each other's keys. */
export const uniquePrefix = (name = 't') => `test-${name}-${randomBytes(4).toString('hex')}`;

export function testPayloadKey(): PayloadKey {
  const key = randomBytes(32);
  return { id: payloadKeyId(key), key };
}

/** A payout store under `prefix`, sealing with a payload key of its own; no notifications. */
export function testStore(
  redis: Redis,
  prefix: string,
  logger: Logger,
  options: { now?: () => number } = {},
): PayoutStore {
  return createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger,
    notify: false,
    ...options,
  });
}

/** Every key of a prefix (SCAN, never KEYS). */
export async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...batch);
  } while (cursor !== '0');
  return out;
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysOf(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

export const testRedis = (options: RedisOptions = {}) =>
  new Redis(REDIS_URL, { maxRetriesPerRequest: null, ...options });
