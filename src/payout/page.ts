import type { Redis } from 'ioredis';
import type { PayoutKeys } from './keys.js';
import { PAYOUT_STATES, type PayoutState } from './states.js';

/**
 * A page of payouts read from the per-state indexes the transitions already keep (score = when the
 * payout entered its state), so listing adds nothing to the write path. Newest change first: by that
 * score descending, equal scores by external_id descending, which is the order ZREVRANGEBYSCORE
 * gives. Without a state the indexes are merged here, k ways.
 */

/** Where a page ends: the next one starts strictly after it. */
export interface PagePosition {
  score: number;
  externalId: string;
}

export interface PageEntry extends PagePosition {
  state: PayoutState;
}

export interface PageQuery {
  state?: PayoutState | undefined;
  customerId?: string | undefined;
  method?: string | undefined;
  currency?: string | undefined;
  /** Only payouts created at or after this time (epoch ms). */
  createdFrom?: number | undefined;
  /** Only payouts created before this time (epoch ms). */
  createdBefore?: number | undefined;
  limit: number;
  after?: PagePosition | undefined;
}

export interface Page {
  entries: PageEntry[];
  /** Undefined once nothing is left after the page. */
  next: PagePosition | undefined;
}

/**
 * At most this many index entries are looked at for one filtered request: a customer with few payouts
 * among many must not make one request read them all. The page then ends short, with a position.
 */
export const MAX_EXAMINED = 2_000;

/** How many candidates' fields are read in one round trip. */
const FILTER_BATCH = 200;

/**
 * A payout enters its current state no earlier than it was created, so a walk filtered by creation
 * time ends at index entries older than the filter's start; by this much older, because the API
 * that creates and the worker that moves a payout each stamp the time by their own clock.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The record's fields a filter reads, in this order. */
const FILTER_FIELDS = ['customer_id', 'method', 'currency', 'created_at'] as const;
type Fields = (string | null)[];

/** Whether a record's FILTER_FIELDS pass every filter of the query; undefined when it has none. */
function filterOf(q: PageQuery): ((f: Fields) => boolean) | undefined {
  const tests: ((f: Fields) => boolean)[] = [];
  const { customerId, method, currency, createdFrom, createdBefore } = q;
  if (customerId !== undefined) tests.push((f) => f[0] === customerId);
  if (method !== undefined) tests.push((f) => f[1] === method);
  if (currency !== undefined) tests.push((f) => f[2] === currency);
  if (createdFrom !== undefined) tests.push((f) => f[3] != null && Number(f[3]) >= createdFrom);
  if (createdBefore !== undefined) tests.push((f) => f[3] != null && Number(f[3]) < createdBefore);
  return tests.length ? (f) => tests.every((t) => t(f)) : undefined;
}

/** Whether `a` comes before `b` in newest-change-first order. */
export const comesBefore = (a: PagePosition, b: PagePosition) =>
  a.score > b.score || (a.score === b.score && a.externalId > b.externalId);

/** One state's index, read lazily in chunks, strictly after a position. */
function indexReader(
  redis: Redis,
  key: string,
  state: PayoutState,
  after: PagePosition | undefined,
  chunk: number,
) {
  let buffer: PageEntry[] = [];
  let at = 0;
  let position = after;
  let exhausted = false;

  const entriesOf = (raw: string[]) => {
    const out: PageEntry[] = [];
    for (let i = 0; i < raw.length; i += 2)
      out.push({ externalId: raw[i]!, score: Number(raw[i + 1]), state });
    return out;
  };

  async function refill(): Promise<void> {
    const pipeline = redis.pipeline();
    if (position) {
      // Ties at the position's score are few (one transition script each, per millisecond); they
      // are read whole, and only those after the position's external_id are kept.
      pipeline.zrevrangebyscore(key, position.score, position.score, 'WITHSCORES');
      pipeline.zrevrangebyscore(key, `(${position.score}`, '-inf', 'WITHSCORES', 'LIMIT', 0, chunk);
    } else {
      pipeline.zrevrangebyscore(key, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, chunk);
    }
    const res = await pipeline.exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error(`reading the ${state} index failed`);
    const replies = res.map(([, reply]) => entriesOf(reply as string[]));
    const from = position;
    const ties = from ? replies[0]!.filter((e) => e.externalId < from.externalId) : [];
    const below = replies.at(-1)!;
    exhausted = below.length < chunk;
    buffer = [...ties, ...below];
    at = 0;
    position = buffer.at(-1) ?? position;
  }

  return {
    /** The next entry without taking it; undefined once the index has nothing more. */
    async peek(): Promise<PageEntry | undefined> {
      while (at >= buffer.length) {
        if (exhausted) return undefined;
        await refill();
      }
      return buffer[at];
    },
    take() {
      at++;
    },
  };
}

/** The indexes of `states` as one stream in newest-change-first order. */
function mergedIndexes(
  redis: Redis,
  keys: PayoutKeys,
  states: readonly PayoutState[],
  after: PagePosition | undefined,
  chunk: number,
) {
  const readers = states.map((s) => indexReader(redis, keys.stateIndex(s), s, after, chunk));
  return async function next(): Promise<PageEntry | undefined> {
    const heads = await Promise.all(readers.map((r) => r.peek()));
    let best = -1;
    heads.forEach((head, i) => {
      if (head && (best < 0 || comesBefore(head, heads[best]!))) best = i;
    });
    if (best < 0) return undefined;
    readers[best]!.take();
    return heads[best];
  };
}

const positionOf = (e: PageEntry): PagePosition => ({ score: e.score, externalId: e.externalId });

/**
 * A page of index entries. Filtered (by customer, method, currency or creation time), it reads the
 * candidates' fields in merged order and stops after MAX_EXAMINED candidates: the page may then be
 * short (even empty) with a position to go on from. A record gone since the index was read (archived)
 * matches no filter.
 */
export async function readPage(redis: Redis, keys: PayoutKeys, q: PageQuery): Promise<Page> {
  const states = q.state ? [q.state] : PAYOUT_STATES;
  const matches = filterOf(q);
  const next = mergedIndexes(redis, keys, states, q.after, matches ? FILTER_BATCH : q.limit + 1);
  const entries: PageEntry[] = [];
  if (matches === undefined) {
    for (let e = await next(); e; e = await next()) {
      if (entries.length === q.limit) return { entries, next: positionOf(entries.at(-1)!) };
      entries.push(e);
    }
    return { entries, next: undefined };
  }
  // Index entries below this score cannot be of a payout created at or after createdFrom.
  const floor = q.createdFrom === undefined ? -Infinity : q.createdFrom - CLOCK_SKEW_MS;
  let examined = 0;
  for (;;) {
    const batch: PageEntry[] = [];
    let end = false;
    while (batch.length < Math.min(FILTER_BATCH, MAX_EXAMINED - examined)) {
      const e = await next();
      if (!e || e.score < floor) {
        end = true;
        break;
      }
      batch.push(e);
    }
    if (batch.length === 0) return { entries, next: undefined };
    const pipeline = redis.pipeline();
    for (const e of batch) pipeline.hmget(keys.record(e.externalId), ...FILTER_FIELDS);
    const fields = (await pipeline.exec()) ?? [];
    for (const [i, e] of batch.entries()) {
      const [err, f] = fields[i] ?? [new Error('reading a payout for the filter failed')];
      if (err) throw err;
      if (!matches(f as Fields)) continue;
      if (entries.length === q.limit) return { entries, next: positionOf(entries.at(-1)!) };
      entries.push(e);
    }
    examined += batch.length;
    if (end) return { entries, next: undefined };
    if (examined >= MAX_EXAMINED) return { entries, next: positionOf(batch.at(-1)!) };
  }
}
