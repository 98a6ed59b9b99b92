import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exampleRequest } from '../../../src/methods/index.js';
import { login, operatorsSetting } from '../../helpers/operators.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * GET /v1/payouts against the real API and Redis. No worker runs: payouts stay queued, except the
 * few cancelled here, so the order (newest change first) is known. One batch creates them, so many
 * share a millisecond: the cursor's tie handling is exercised.
 */

const viewer = login('vera');
const CUSTOMER = 'c-list-a';
/** Every third payout is CUSTOMER's. */
const customerOf = (i: number) => (i % 3 === 0 ? CUSTOMER : `c-list-${i}`);
/** Every fourth is a wallet payout, every fifth in EUR; the rest are card payouts in USD. */
const methodOf = (i: number) => (i % 4 === 1 ? 'vega_wallet' : 'bank_card');
const currencyOf = (i: number) => (i % 5 === 2 ? 'EUR' : 'USD');
const wallet = exampleRequest('vega_wallet', 'payout').payment_data;
/** Today, yesterday and tomorrow as days (UTC), for the creation-date filters. */
const dayOf = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

let sys: TestSystem;
let ids: string[];
let cancelled: string[];

beforeAll(async () => {
  sys = await startTestSystem({
    parts: ['api'],
    env: { OPERATORS: await operatorsSetting([[viewer, 'viewer']]) },
  });
  const prefix = `list-${Date.now()}`;
  const payouts = Array.from({ length: 120 }, (_, i) =>
    cardPayout({
      external_id: `${prefix}-${i}`,
      customer: { customer_id: customerOf(i), country: 'LV', first_name: 'Test', last_name: 'Test' },
      currency: currencyOf(i),
      ...(methodOf(i) === 'vega_wallet' ? { method: 'vega_wallet', payment_data: wallet } : {}),
    }),
  );
  const res = await sys.request('POST', '/v1/payout-batches', { payouts });
  expect(res.status).toBe(200);
  ids = payouts.map((p) => p.external_id);
  cancelled = [ids[7]!, ids[30]!, ids[99]!];
  for (const id of cancelled) {
    expect((await sys.operatorRequest('POST', `/v1/payouts/${id}/cancel`, { note: 'test' })).status).toBe(
      200,
    );
  }
}, 60_000);
afterAll(() => sys?.close());

type Item = {
  external_id: string;
  status: string;
  customer_id: string;
  method: string;
  currency: string;
  updated_at: string;
};

/** Every page of a walk, following next_cursor until it is null. */
async function walk(query: string): Promise<Item[][]> {
  const pages: Item[][] = [];
  let cursor: string | null = null;
  do {
    const qs = cursor ? `${query}&cursor=${cursor}` : query;
    const res = await sys.request('GET', `/v1/payouts?${qs}`);
    expect(res.status).toBe(200);
    expect(res.body.payouts.every((p: object) => !('history' in p))).toBe(true);
    pages.push(res.body.payouts);
    cursor = res.body.next_cursor;
  } while (cursor);
  return pages;
}

const isNewestFirst = (items: Item[]) =>
  items.every((p, i) => i === 0 || items[i - 1]!.updated_at >= p.updated_at);

describe('paging', () => {
  test('120 payouts by 50: each exactly once, newest change first', async () => {
    const pages = await walk('limit=50');
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    const items = pages.flat();
    expect(items.map((p) => p.external_id).sort()).toEqual([...ids].sort());
    expect(isNewestFirst(items)).toBe(true);
    // The cancellations are the latest changes, the latest first.
    expect(items.slice(0, 3).map((p) => p.external_id)).toEqual([...cancelled].reverse());
    expect(items[0]).toMatchObject({
      status: 'cancelled',
      payment_data: { card_number: '411111******1111' },
    });
  });

  test.each([
    ['cancelled', 3],
    ['queued', 117],
    ['succeeded', 0],
  ])('status=%s gives only those payouts (%i)', async (status, count) => {
    const items = (await walk(`status=${status}&limit=40`)).flat();
    expect(items).toHaveLength(count);
    expect(items.every((p) => p.status === status)).toBe(true);
    expect(new Set(items.map((p) => p.external_id)).size).toBe(count);
    expect(isNewestFirst(items)).toBe(true);
  });

  test("customer_id gives the customer's 40 payouts across pages of 15", async () => {
    const pages = await walk(`customer_id=${CUSTOMER}&limit=15`);
    expect(pages.map((p) => p.length)).toEqual([15, 15, 10]);
    const items = pages.flat();
    const expected = ids.filter((_, i) => customerOf(i) === CUSTOMER);
    expect(items.map((p) => p.external_id).sort()).toEqual(expected.sort());
    expect(items.every((p) => p.customer_id === CUSTOMER)).toBe(true);
    expect(isNewestFirst(items)).toBe(true);
  });

  test('status and customer_id together', async () => {
    const items = (await walk(`customer_id=${CUSTOMER}&status=cancelled`)).flat();
    expect(items.map((p) => p.external_id)).toEqual([ids[99]!, ids[30]!]);
  });
});

describe('filtered by method, currency and day of creation', () => {
  const idsWhere = (keep: (i: number) => boolean) => ids.filter((_, i) => keep(i)).sort();

  test('method gives that method’s 30 payouts across pages of 7', async () => {
    const pages = await walk('method=vega_wallet&limit=7');
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    const items = pages.flat();
    expect(items.map((p) => p.external_id).sort()).toEqual(idsWhere((i) => methodOf(i) === 'vega_wallet'));
    expect(items.every((p) => p.method === 'vega_wallet')).toBe(true);
    expect(isNewestFirst(items)).toBe(true);
  });

  test('currency, method and status together', async () => {
    const items = (await walk('currency=EUR&method=bank_card&status=queued&limit=5')).flat();
    const expected = idsWhere(
      (i) => currencyOf(i) === 'EUR' && methodOf(i) === 'bank_card' && !cancelled.includes(ids[i]!),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(items.map((p) => p.external_id).sort()).toEqual(expected);
    expect(items.every((p) => p.currency === 'EUR' && p.status === 'queued')).toBe(true);
  });

  test('from and to are days of creation, both included', async () => {
    const today = (await walk(`from=${dayOf(0)}&to=${dayOf(0)}&limit=50`)).flat();
    expect(today.map((p) => p.external_id).sort()).toEqual([...ids].sort());
    const since = (await walk(`from=${dayOf(-1)}&currency=EUR&limit=50`)).flat();
    expect(since.map((p) => p.external_id).sort()).toEqual(idsWhere((i) => currencyOf(i) === 'EUR'));
    expect((await walk(`from=${dayOf(1)}`)).flat()).toEqual([]);
    expect((await walk(`to=${dayOf(-1)}`)).flat()).toEqual([]);
  });
});

describe('cursors of any external_id', () => {
  test('a walk goes on past an external_id of 255 characters, or one starting with a colon', async () => {
    const customer = `c-odd-${Date.now()}`;
    const odd = [`:${customer}`, `${customer}-`.padEnd(255, 'x'), `${customer}-plain`];
    for (const external_id of odd) {
      const body = cardPayout({
        external_id,
        customer: { customer_id: customer, country: 'LV', first_name: 'Test', last_name: 'Test' },
      });
      expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    }
    const listed = (await walk(`customer_id=${customer}&limit=1`)).flat();
    expect(listed.map((p) => p.external_id).sort()).toEqual([...odd].sort());
  });
});

describe('bad parameters', () => {
  const notOurs = Buffer.from('soon').toString('base64url');
  test.each([
    ['status=sent', 'status'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=2.5', 'limit'],
    ['cursor=%25%25', 'cursor'],
    [`cursor=${notOurs}`, 'cursor'],
    ['customer_id=', 'customer_id'],
    ['method=swift', 'method'],
    ['currency=usd', 'currency'],
    ['from=2026-13-01', 'from'],
    ['to=yesterday', 'to'],
    ['from=2026-12-02&to=2026-12-01', 'to'],
    ['foo=1', 'foo'],
  ])('%s → 422 naming %s', async (qs, path) => {
    const res = await sys.request('GET', `/v1/payouts?${qs}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual([path]);
  });
});

describe('who may read', () => {
  test.each([
    ['an integration key', 200, undefined],
    ['a viewer', 200, basicAuth(viewer)],
    ['no credential', 401, ''],
  ] as const)('%s → %i', async (_who, status, authorization) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    expect((await sys.request('GET', '/v1/payouts?limit=1', undefined, headers)).status).toBe(status);
  });
});
