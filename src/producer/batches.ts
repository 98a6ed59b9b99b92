import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { EXTERNAL_ID_PATTERN, type Issue } from '../methods/index.js';
import type { PayoutKeys } from '../payout/keys.js';
import { PAYOUT_STATES, type PayoutState } from '../payout/states.js';
import type { Producer } from './producer.js';

/**
 * Batches (POST /v1/payout-batches): many payouts in one request, each validated and created on its
 * own with the idempotency of a single payout, so a batch sent again creates nothing new. The batch
 * id is derived from the external_ids in order: the same batch always has the same id, and reading
 * it back (`counts`) shows where its payouts are.
 */

export type BatchItemStatus = 202 | 200 | 409 | 422;

export interface BatchItemResult {
  /** The item's external_id; null when it had none that could be one. */
  external_id: string | null;
  status: BatchItemStatus;
  issues?: Issue[];
}

export interface BatchResult {
  batch_id: string;
  results: BatchItemResult[];
}

export interface BatchCounts {
  batch_id: string;
  counts: Partial<Record<PayoutState, number>>;
}

/** Items created at once: enough to keep Redis busy, few enough not to starve single requests. */
const IN_FLIGHT = 16;

export const BATCH_ID_PATTERN = /^b_[A-Za-z0-9_-]{22}$/;

const ownExternalId = (item: unknown): string | null => {
  if (typeof item !== 'object' || item === null || !Object.hasOwn(item, 'external_id')) return null;
  const id = (item as { external_id: unknown }).external_id;
  return typeof id === 'string' && EXTERNAL_ID_PATTERN.test(id) ? id : null;
};

/** The same external_ids in the same order give the same id; the items' bodies do not enter it. */
export function batchIdOf(items: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(`${ownExternalId(item) ?? ''}\n`);
  return `b_${hash.digest('base64url').slice(0, 22)}`;
}

/** `{"payouts":[...]}` with 1 to `max` items, or a ValidationError naming what is wrong. */
function itemsOf(body: unknown, max: number): unknown[] {
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
  const payouts = isObject ? (body as { payouts?: unknown }).payouts : undefined;
  const extra = isObject ? Object.keys(body).filter((key) => key !== 'payouts') : [];
  const issues: Issue[] = extra.map((key) => ({
    path: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) ? key : '',
    message: 'unknown field: a batch takes `payouts` only',
  }));
  if (!isObject) issues.push({ path: '', message: 'the request must be a JSON object: {"payouts":[...]}' });
  else if (!Array.isArray(payouts))
    issues.push({ path: 'payouts', message: 'is required: a list of payouts' });
  else if (payouts.length === 0) issues.push({ path: 'payouts', message: 'must hold at least one payout' });
  else if (payouts.length > max) {
    issues.push({
      path: 'payouts',
      message: `at most ${max} payouts per batch (BATCH_MAX_PAYOUTS); send the rest in another`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return payouts as unknown[];
}

/** Runs `fn` over `items`, `limit` at a time, keeping the results in the items' order. */
async function inOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

export interface Batches {
  /** Throws ValidationError for a malformed envelope, StoreUnavailableError when Redis fails (retry the same batch). */
  create(body: unknown): Promise<BatchResult>;
  /** Throws NotFoundError for a batch never sent. */
  counts(batchId: string): Promise<BatchCounts>;
}

export function createBatches(deps: {
  producer: Producer;
  redis: Redis;
  keys: Pick<PayoutKeys, 'batch' | 'record'>;
  maxPayouts: number;
}): Batches {
  const { producer, redis, keys } = deps;

  async function createOne(item: unknown): Promise<BatchItemResult> {
    const external_id = ownExternalId(item);
    try {
      const { created } = await producer.enqueuePayout(item);
      return { external_id, status: created ? 202 : 200 };
    } catch (err) {
      if (err instanceof ValidationError) return { external_id, status: 422, issues: err.issues };
      if (err instanceof ConflictError) {
        return { external_id, status: 409, issues: err.issues ?? [{ path: '', message: err.message }] };
      }
      // The store is unavailable (or worse): the whole answer is an error; the same batch again is safe.
      throw err;
    }
  }

  return {
    async create(body) {
      const items = itemsOf(body, deps.maxPayouts);
      const batch_id = batchIdOf(items);
      const results = await inOrder(items, IN_FLIGHT, createOne);
      const members = results
        .filter((r) => r.status === 202 || r.status === 200)
        .map((r) => r.external_id as string);
      if (members.length > 0) await redis.sadd(keys.batch(batch_id), ...members);
      return { batch_id, results };
    },

    async counts(batchId) {
      if (!BATCH_ID_PATTERN.test(batchId)) {
        throw new ValidationError([
          { path: 'batch_id', message: 'is not a batch id (b_ and 22 letters, digits, _ or -)' },
        ]);
      }
      const ids = await redis.smembers(keys.batch(batchId));
      if (ids.length === 0) throw new NotFoundError(batchId, 'batch');
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(keys.record(id), 'status');
      const statuses = (await pipeline.exec()) ?? [];
      const counts: Partial<Record<PayoutState, number>> = {};
      for (const [err, status] of statuses) {
        if (err) throw err;
        // A payout archived out of Redis no longer has a state here; it is not counted.
        if (typeof status === 'string' && (PAYOUT_STATES as readonly string[]).includes(status)) {
          counts[status as PayoutState] = (counts[status as PayoutState] ?? 0) + 1;
        }
      }
      return { batch_id: batchId, counts };
    },
  };
}
