import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { payoutKeys } from '../../../src/payout/keys.js';
import {
  CLOCK_SKEW_MS,
  MAX_EXAMINED,
  type PageEntry,
  type PagePosition,
  readPage,
} from '../../../src/payout/page.js';
import type { PayoutState } from '../../../src/payout/states.js';
import { deletePrefix, testRedis, uniquePrefix } from '../../helpers/redis.js';

/**
 * Pages read from the state indexes on the real Redis, the indexes written directly: many equal
 * scores across two states, so every page boundary and chunk boundary falls inside runs of ties.
 */

const prefix = uniquePrefix('page');
const keys = payoutKeys(prefix);
const RARE = 'c-rare';
const COUNT = MAX_EXAMINED + 100;

let redis: Redis;
/** Every entry, in the order the pages must give them (score descending, then external_id descending). */
let expected: PageEntry[];
/** The two entries of customer RARE: one near the newest, one past the first MAX_EXAMINED. */
let rare: string[];

beforeAll(async () => {
  redis = testRedis();
  const entries: PageEntry[] = Array.from({ length: COUNT }, (_, i) => ({
    // Runs of seven equal scores; the two states share scores.
    score: 1_000_000 + Math.floor(i / 7),
    externalId: `po-${String((i * 7919) % COUNT).padStart(5, '0')}`,
    state: (i % 2 === 0 ? 'queued' : 'succeeded') as PayoutState,
  }));
  expected = [...entries].sort((a, b) =>
    a.score !== b.score ? b.score - a.score : a.externalId < b.externalId ? 1 : -1,
  );
  rare = [expected[4]!.externalId, expected[MAX_EXAMINED + 50]!.externalId];
  const pipeline = redis.pipeline();
  for (const e of entries) {
    pipeline.zadd(keys.stateIndex(e.state), e.score, e.externalId);
    const customer = rare.includes(e.externalId) ? RARE : 'c-common';
    pipeline.hset(keys.record(e.externalId), 'customer_id', customer);
  }
  await pipeline.exec();
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function walk(query: { state?: PayoutState; customerId?: string; limit: number }) {
  const pages: PageEntry[][] = [];
  let after: PagePosition | undefined;
  do {
    const page = await readPage(redis, keys, { ...query, after });
    pages.push(page.entries);
    after = page.next;
  } while (after);
  return pages;
}

const idsOf = (entries: PageEntry[]) => entries.map((e) => e.externalId);

describe('walking the indexes', () => {
  test.each([4, 7, 13, 500])('by %i: every entry once, in order', async (limit) => {
    const pages = await walk({ limit });
    expect(idsOf(pages.flat())).toEqual(idsOf(expected));
    expect(pages.at(-1)!.length).toBeGreaterThan(0);
  });

  test('one state alone', async () => {
    const pages = await walk({ state: 'succeeded', limit: 9 });
    expect(idsOf(pages.flat())).toEqual(idsOf(expected.filter((e) => e.state === 'succeeded')));
  });
});

describe('filtered by customer', () => {
  test(`stops after ${MAX_EXAMINED} candidates with a position, and goes on from it`, async () => {
    const first = await readPage(redis, keys, { customerId: RARE, limit: 50 });
    expect(idsOf(first.entries)).toEqual([rare[0]]);
    expect(first.next).toEqual({
      score: expected[MAX_EXAMINED - 1]!.score,
      externalId: expected[MAX_EXAMINED - 1]!.externalId,
    });
    const second = await readPage(redis, keys, { customerId: RARE, limit: 50, after: first.next });
    expect(idsOf(second.entries)).toEqual([rare[1]]);
    expect(second.next).toBeUndefined();
  });

  test('a full page looks on for a further match, within the bound', async () => {
    const page = await readPage(redis, keys, { customerId: RARE, limit: 1 });
    const last = expected[MAX_EXAMINED - 1]!;
    expect(page).toEqual({
      entries: [expected[4]],
      next: { score: last.score, externalId: last.externalId },
    });
    const end = await readPage(redis, keys, {
      customerId: RARE,
      limit: 1,
      after: { ...expected[MAX_EXAMINED + 10]! },
    });
    expect(end).toEqual({ entries: [expected[MAX_EXAMINED + 50]], next: undefined });
  });
});

describe('filtered by creation time', () => {
  const datedPrefix = uniquePrefix('page-dated');
  const dated = payoutKeys(datedPrefix);
  /** One payout a second, each created a minute before it entered its state; the newest first. */
  const SPAN = MAX_EXAMINED + 500;
  const T0 = 1_700_000_000_000;
  const at = (i: number) => T0 - i * 1_000;

  beforeAll(async () => {
    const pipeline = redis.pipeline();
    for (let i = 0; i < SPAN; i++) {
      const id = `d-${String(i).padStart(5, '0')}`;
      pipeline.zadd(dated.stateIndex('succeeded'), at(i), id);
      pipeline.hset(dated.record(id), {
        customer_id: 'c',
        method: i % 2 ? 'bank_card' : 'vega_wallet',
        currency: 'USD',
        created_at: String(at(i) - 60_000),
      });
    }
    await pipeline.exec();
  });
  afterAll(() => deletePrefix(redis, datedPrefix));

  test('the walk ends where the index is older than the start, less the clock skew', async () => {
    // Created at or after the creation time of payout 100: payouts 0 to 100.
    const from = at(100) - 60_000;
    const page = await readPage(redis, dated, { createdFrom: from, limit: 500 });
    expect(page.entries.map((e) => e.externalId)).toEqual(
      Array.from({ length: 101 }, (_, i) => `d-${String(i).padStart(5, '0')}`),
    );
    // Ended, though far fewer than MAX_EXAMINED entries were looked at: the rest are older.
    expect(page.next).toBeUndefined();
    expect(CLOCK_SKEW_MS).toBeLessThan(MAX_EXAMINED * 1_000);
  });

  test('before a time, with a method, paged by 40', async () => {
    const before = at(SPAN - 50) - 60_000 + 1;
    const seen: string[] = [];
    let after: PagePosition | undefined;
    do {
      const page = await readPage(redis, dated, {
        createdBefore: before,
        method: 'bank_card',
        limit: 40,
        after,
      });
      seen.push(...idsOf(page.entries));
      after = page.next;
    } while (after);
    const expected = Array.from({ length: 50 }, (_, k) => SPAN - 50 + k)
      .filter((i) => i % 2 === 1)
      .map((i) => `d-${String(i).padStart(5, '0')}`);
    expect(seen).toEqual(expected);
  });
});
