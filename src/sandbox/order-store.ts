import type { Redis } from 'ioredis';
import type { Entry, SandboxOrder } from './orders.js';

/**
 * Where a sandbox keeps its orders between restarts: one Redis hash under `<prefix>:sandbox:orders`,
 * an entry (counts, fingerprint, order and its scenario) per external_id, as JSON. A restarted
 * sandbox loads them, answers status requests for them and settles the ones still pending, so
 * payouts it accepted before the restart are not left `submitted` with an order nobody knows.
 *
 * Like the real gateway's, an order's answer may hold a full card number (display_data): that part
 * is never written to Redis. A replay after a restart answers without display_data.
 */

export interface SandboxOrderStore {
  /** Every kept entry with an order, dropping those created more than `retentionMs` ago. */
  load(now?: number): Promise<Entry[]>;
  save(entry: Entry): Promise<void>;
}

/** How long a sandbox remembers an order: past the gateway's 24 h of callbacks, with room for a weekend. */
export const SANDBOX_RETENTION_MS = 7 * 24 * 3600_000;

export const sandboxOrdersKey = (prefix: string) => `${prefix}:sandbox:orders`;

export function createRedisOrderStore(
  redis: Redis,
  prefix: string,
  retentionMs = SANDBOX_RETENTION_MS,
): SandboxOrderStore {
  const key = sandboxOrdersKey(prefix);
  return {
    async load(now = Date.now()) {
      const all = await redis.hgetall(key);
      const kept: Entry[] = [];
      const expired: string[] = [];
      for (const [externalId, json] of Object.entries(all)) {
        const entry = JSON.parse(json) as Entry;
        const created = entry.order ? Date.parse(entry.order.created_at) : Number.NaN;
        if (!(created > now - retentionMs)) expired.push(externalId);
        else kept.push(entry);
      }
      if (expired.length > 0) await redis.hdel(key, ...expired);
      return kept;
    },
    async save(entry) {
      const { order, laterOrders } = entry;
      const stored = {
        ...entry,
        ...(order ? { order: withoutCard(order) } : {}),
        ...(laterOrders ? { laterOrders: laterOrders.map(withoutCard) } : {}),
      };
      await redis.hset(key, entry.external_id, JSON.stringify(stored));
    },
  };
}

function withoutCard(order: SandboxOrder): SandboxOrder {
  const { display_data: _card, ...answer } = order.answer;
  return { ...order, answer };
}
