import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';
import type { Callback } from './callback-schema.js';

/**
 * Callbacks about ids we do not know (refunds, deposits when deposits are not served, ids neither in
 * Redis nor archived) are kept for operators, newest first; the newest are kept.
 */

/** Callbacks about ids we do not know are kept for operators; the newest are kept. */
export const UNKNOWN_CALLBACKS_KEPT = 10_000;

const unknownKey = (store: PayoutStore) => `${store.keys.base}:callbacks:unknown`;

/** Keeps a verified callback that names no payout or deposit we know, and says so in the log. */
export async function keepUnknownCallback(
  deps: { store: PayoutStore; redis: Redis; logger: Logger },
  cb: Callback,
): Promise<void> {
  const key = unknownKey(deps.store);
  const entry = JSON.stringify({ received_at: new Date().toISOString(), ...cb });
  await deps.redis
    .multi()
    .lpush(key, entry)
    .ltrim(key, 0, UNKNOWN_CALLBACKS_KEPT - 1)
    .exec();
  deps.logger.warn(
    { external_id: cb.external_id, type: cb.type, status: cb.status },
    'callback for an unknown external_id kept for operators',
  );
}

/** Callbacks that named no payout or deposit we know, newest first. */
export async function listUnknownCallbacks(
  redis: Redis,
  store: PayoutStore,
  limit = 100,
): Promise<unknown[]> {
  const raw = await redis.lrange(unknownKey(store), 0, limit - 1);
  return raw.map((l) => JSON.parse(l));
}
