import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * POST /v1/payout-batches against the real API and Redis (no worker: created payouts stay queued, so
 * the counts are exact): each item created on its own with the single payout's idempotency.
 */

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'] });
});
afterAll(async () => {
  await sys?.close();
});

type Kind = 'valid' | 'invalid' | 'conflict';
/** Every fifth item invalid, every seventh (not fifth) one an external_id accepted before with another amount. */
const kindOf = (i: number): Kind => (i % 5 === 0 ? 'invalid' : i % 7 === 0 ? 'conflict' : 'valid');

describe('a batch of 1,000 mixed items', () => {
  const prefix = `batch-${Date.now()}`;
  const items = Array.from({ length: 1_000 }, (_, i) => {
    const body = cardPayout({ external_id: `${prefix}-${i}` });
    return kindOf(i) === 'invalid' ? { ...body, amount: '11.00' } : body;
  });
  const count = (kind: Kind) => items.filter((_, i) => kindOf(i) === kind).length;
  let first: {
    batch_id: string;
    results: { external_id: string | null; status: number; issues?: unknown[] }[];
  };

  beforeAll(async () => {
    // The conflicting ones were accepted before, with another amount.
    for (const [i, item] of items.entries()) {
      if (kindOf(i) !== 'conflict') continue;
      const res = await sys.request('POST', '/v1/payouts', { ...item, amount: 999 });
      expect(res.status).toBe(202);
    }
  });

  test('each item gets its own result, in request order', async () => {
    const res = await sys.request('POST', '/v1/payout-batches', { payouts: items });
    expect(res.status).toBe(200);
    first = res.body;
    expect(first.batch_id).toMatch(/^b_/);
    expect(first.results).toHaveLength(1_000);
    first.results.forEach((result, i) => {
      expect(result.external_id).toBe(`${prefix}-${i}`);
      const expected = { valid: 202, invalid: 422, conflict: 409 }[kindOf(i)];
      expect(result.status, `item ${i}`).toBe(expected);
    });
    expect(first.results[5]?.issues).toEqual([
      {
        path: 'amount',
        message: 'must be a JSON number, not text: amounts are integers in minor units (11.00 USD is 1100)',
      },
    ]);
    expect(first.results[7]?.issues).toEqual([
      { path: 'amount', message: 'differs from the request first accepted' },
    ]);
  });

  test('read back: its payouts counted by state', async () => {
    const res = await sys.request('GET', `/v1/payout-batches/${first.batch_id}`);
    expect(res).toEqual({
      status: 200,
      body: { batch_id: first.batch_id, counts: { queued: count('valid') } },
    });
  });

  test('the same batch again creates nothing new: same id, the created ones replayed', async () => {
    const queuedBefore = await sys.system.store.counts();
    const res = await sys.request('POST', '/v1/payout-batches', { payouts: items });
    expect(res.status).toBe(200);
    expect(res.body.batch_id).toBe(first.batch_id);
    res.body.results.forEach((result: { status: number }, i: number) => {
      const expected = { valid: 200, invalid: 422, conflict: 409 }[kindOf(i)];
      expect(result.status, `item ${i}`).toBe(expected);
    });
    expect(await sys.system.store.counts()).toEqual(queuedBefore);
    const counts = await sys.request('GET', `/v1/payout-batches/${first.batch_id}`);
    expect(counts.body.counts).toEqual({ queued: count('valid') });
  });
});

describe('what a batch refuses whole', () => {
  const cases: { name: string; body: unknown; status: number; path?: string }[] = [
    {
      name: 'more payouts than BATCH_MAX_PAYOUTS',
      body: { payouts: Array.from({ length: 1_001 }, () => ({})) },
      status: 422,
      path: 'payouts',
    },
    { name: 'no payouts', body: { payouts: [] }, status: 422, path: 'payouts' },
    { name: 'a list instead of the envelope', body: [cardPayout()], status: 422, path: '' },
    { name: 'another field', body: { payouts: [cardPayout()], mode: 'fast' }, status: 422, path: 'mode' },
  ];
  test.each(cases)('$name', async ({ body, status, path }) => {
    const res = await sys.request('POST', '/v1/payout-batches', body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  test('without an API key: 401, nothing created', async () => {
    const item = cardPayout();
    const res = await sys.request('POST', '/v1/payout-batches', { payouts: [item] }, { authorization: '' });
    expect(res.status).toBe(401);
    expect((await sys.request('GET', `/v1/payouts/${item.external_id}`)).status).toBe(404);
  });

  test('a batch never sent: 404', async () => {
    const res = await sys.request('GET', '/v1/payout-batches/b_AAAAAAAAAAAAAAAAAAAAAA');
    expect(res.status).toBe(404);
  });
});
