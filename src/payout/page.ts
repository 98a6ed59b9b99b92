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

/** How many candidates' customer_ids are read in one round trip. */
const FILTER_BATCH = 200;

/** Whether `a` comes before `b` in newest-change-first order. */
const comesBefore = (a: PagePosition, b: PagePosition) =>
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
 * A page of index entries. Filtered by customer, it reads the candidates' customer_id in merged order
 * and stops after MAX_EXAMINED candidates: the page may then be short (even empty) with a position to
 * go on from.
 */
export async function readPage(redis: Redis, keys: PayoutKeys, q: PageQuery): Promise<Page> {
  const states = q.state ? [q.state] : PAYOUT_STATES;
  const customerId = q.customerId;
  const next = mergedIndexes(redis, keys, states, q.after, customerId ? FILTER_BATCH : q.limit + 1);
  const entries: PageEntry[] = [];
  if (customerId === undefined) {
    for (let e = await next(); e; e = await next()) {
      if (entries.length === q.limit) return { entries, next: positionOf(entries.at(-1)!) };
      entries.push(e);
    }
    return { entries, next: undefined };
  }
  let examined = 0;
  for (;;) {
    const batch: PageEntry[] = [];
    while (batch.length < Math.min(FILTER_BATCH, MAX_EXAMINED - examined)) {
      const e = await next();
      if (!e) break;
      batch.push(e);
    }
    if (batch.length === 0) return { entries, next: undefined };
    const pipeline = redis.pipeline();
    for (const e of batch) pipeline.hget(keys.record(e.externalId), 'customer_id');
    const owners = (await pipeline.exec()) ?? [];
    for (const [i, e] of batch.entries()) {
      const [err, owner] = owners[i] ?? [new Error('reading customer_id failed')];
      if (err) throw err;
      if (owner !== customerId) continue;
      if (entries.length === q.limit) return { entries, next: positionOf(entries.at(-1)!) };
      entries.push(e);
    }
    examined += batch.length;
    if (examined >= MAX_EXAMINED) return { entries, next: positionOf(batch.at(-1)!) };
  }
}
