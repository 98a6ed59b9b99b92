import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { payoutKeys } from '../../../src/payout/keys.js';
import { login, operatorsSetting } from '../../helpers/operators.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Limits through the HTTP API: a hard cap per currency refuses at enqueue, per-customer rolling 24-hour
 * limits hold in awaiting_approval. No worker runs, so accepted payouts stay queued (and cancellable).
 */

const admin = login('ada');
const abel = login('abel');
let sys: TestSystem;
let n = 0;
const customer = () => `cust-${++n}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  const OPERATORS = await operatorsSetting([
    [admin, 'admin'],
    [abel, 'approver'],
  ]);
  sys = await startTestSystem({ parts: ['api'], env: { OPERATORS } });
  const res = await sys.operatorRequest(
    'PUT',
    '/v1/controls/limits',
    {
      limits: [
        { currency: 'EUR', max_amount: 5_000_000, per_customer_24h: { count: 3 } },
        { currency: 'GBP', per_customer_24h: { amount: 100_000 } },
      ],
    },
    admin,
  );
  expect(res.status).toBe(200);
}, 60_000);
afterAll(() => sys?.close());

const create = (customerId: string, amount: number, currency = 'EUR') =>
  sys.request(
    'POST',
    '/v1/payouts',
    cardPayout({
      amount,
      currency,
      customer: { customer_id: customerId, country: 'LV', first_name: 'Test', last_name: 'Test' },
    }),
  );

describe('the hard cap per currency', () => {
  test.each([
    ['at the cap', 5_000_000, 202],
    ['over the cap', 5_000_001, 422],
  ])('%s (%d): %d', async (_name, amount, status) => {
    const res = await create(customer(), amount);
    expect(res.status).toBe(status);
    if (status === 422) {
      expect(res.body.error.issues).toEqual([
        {
          path: 'amount',
          message: 'is over the EUR cap: at most 50,000.00 EUR (max_amount 5000000) per payout',
        },
      ]);
    }
  });

  test('a payout refused over the cap is not stored, so it is not counted either', async () => {
    const c = customer();
    expect((await create(c, 9_000_000)).status).toBe(422);
    for (let i = 0; i < 3; i++) expect((await create(c, 100)).body.status).toBe('queued');
  });
});

describe('per customer, rolling 24 hours', () => {
  test('count: the payout past the limit waits for approval, naming the limit; others are not affected', async () => {
    const c = customer();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create(c, 100)).body);
    expect(statuses.map((p) => p.status)).toEqual(['queued', 'queued', 'queued', 'awaiting_approval']);
    expect(statuses[3].reason).toBe('limit: EUR per_customer_24h.count 3 (this is payout 4 in 24 h)');
    expect((await create(customer(), 100)).body.status).toBe('queued');
    expect((await create(c, 100, 'USD')).body.status).toBe('queued');
    // Held by a limit, it is released by one approver like any other.
    const approved = await sys.operatorRequest(
      'POST',
      `/v1/payouts/${statuses[3].external_id}/approve`,
      {},
      abel,
    );
    expect(approved.body.status).toBe('queued');
  });

  test('amount: the sum counting the new payout; reaching the limit is allowed, passing it is held', async () => {
    const c = customer();
    expect((await create(c, 60_000, 'GBP')).body.status).toBe('queued');
    expect((await create(c, 40_000, 'GBP')).body.status).toBe('queued');
    const over = (await create(c, 1, 'GBP')).body;
    expect(over.status).toBe('awaiting_approval');
    expect(over.reason).toBe('limit: GBP per_customer_24h.amount 100000 (this makes 100001 in 24 h)');
  });

  test('cancelled and rejected payouts are not counted', async () => {
    const c = customer();
    const made = [];
    for (let i = 0; i < 4; i++) made.push((await create(c, 100)).body);
    expect(made[3].status).toBe('awaiting_approval');
    await sys.operatorRequest('POST', `/v1/payouts/${made[0].external_id}/cancel`, {}, admin);
    await sys.operatorRequest('POST', `/v1/payouts/${made[3].external_id}/decline`, {}, abel);
    // Two counted (queued) now: a third fits, a fourth does not.
    expect((await create(c, 100)).body.status).toBe('queued');
    expect((await create(c, 100)).body.status).toBe('awaiting_approval');
  });

  test('rolling: a payout created more than 24 hours ago no longer counts', async () => {
    const c = customer();
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await create(c, 100)).body);
    // Ages the first one by a day in the window, as if it had been created yesterday.
    const redis = testRedis();
    const window = payoutKeys(sys.config.queuePrefix).customerWindow('EUR', c);
    await redis.zadd(window, 'XX', Date.now() - 24 * 3_600_000 - 1_000, `100|${made[0].external_id}`);
    redis.disconnect();
    expect((await create(c, 100)).body.status).toBe('queued');
    expect((await create(c, 100)).body.status).toBe('awaiting_approval');
  });

  test('50 payouts for one customer at once: exactly as many as the limit go through, none slip past', async () => {
    const c = customer();
    const results = await Promise.all(Array.from({ length: 50 }, () => create(c, 100)));
    expect(results.every((r) => r.status === 202)).toBe(true);
    const statuses = results.map((r) => r.body.status);
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(3);
    expect(statuses.filter((s) => s === 'awaiting_approval')).toHaveLength(47);
  });
});

describe('limits are validated and audited', () => {
  test.each([
    ['a zero cap', { limits: [{ currency: 'EUR', max_amount: 0 }] }, 'limits.0.max_amount'],
    [
      'an empty per-customer limit',
      { limits: [{ currency: 'EUR', per_customer_24h: {} }] },
      'limits.0.per_customer_24h',
    ],
    ['a limit with nothing', { limits: [{ currency: 'EUR' }] }, 'limits.0'],
    [
      'a negative count',
      { limits: [{ currency: 'EUR', per_customer_24h: { count: -1 } }] },
      'limits.0.per_customer_24h.count',
    ],
    [
      'one currency twice',
      {
        limits: [
          { currency: 'EUR', max_amount: 1 },
          { currency: 'EUR', max_amount: 2 },
        ],
      },
      'limits.1.currency',
    ],
    [
      'a currency no payout can use',
      { limits: [{ currency: 'KWD', max_amount: 1000 }] },
      'limits.0.currency',
    ],
    ['no list', {}, 'limits'],
  ])('%s: 422 naming %s', async (_name, body, path) => {
    const res = await sys.operatorRequest('PUT', '/v1/controls/limits', body, admin);
    expect(res.status).toBe(422);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  test('GET /v1/controls shows them, and the audit has the change with before and after', async () => {
    const controls = await sys.operatorRequest('GET', '/v1/controls', undefined, abel);
    expect(controls.body.limits[0]).toMatchObject({
      currency: 'EUR',
      max_amount: 5_000_000,
      max_amount_display: '50,000.00 EUR',
    });
    const audit = await sys.operatorRequest('GET', '/v1/audit?limit=500', undefined, admin);
    const change = audit.body.entries.find((e: { action: string }) => e.action === 'controls.limits');
    expect(change).toMatchObject({ who: admin.name, target: 'limits', before: [] });
    expect(change.after).toEqual(
      controls.body.limits.map(
        ({ max_amount_display, per_customer_24h_amount_display, ...l }: Record<string, unknown>) => l,
      ),
    );
  });
});
