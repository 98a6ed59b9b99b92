import { afterAll, beforeAll, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

let sys: TestSystem;

beforeAll(async () => {
  // The API alone: the test runs its workers.
  sys = await startTestSystem({ parts: ['api'] });
});
afterAll(async () => {
  await sys?.close();
});

test('GATEWAY_RATE_LIMIT_PER_SECOND holds across every worker of the deployment', async () => {
  const workers = [
    startPayoutWorker(sys, { rateLimitPerSecond: 5, concurrency: 10 }),
    startPayoutWorker(sys, { rateLimitPerSecond: 5, concurrency: 10 }),
  ];
  try {
    const bodies = Array.from({ length: 15 }, () =>
      cardPayout({ customer: { customer_id: 'p+instant', country: 'LV', first_name: 'A', last_name: 'B' } }),
    );
    for (const body of bodies) await sys.system.producer.enqueuePayout(body);
    for (const body of bodies) await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');

    const sentAt = bodies
      .map((body) => Date.parse(sys.sandbox.received(body.external_id)?.order?.created_at ?? ''))
      .sort((a, b) => a - b);
    expect(sentAt.every(Number.isFinite)).toBe(true);
    // Five a second for the two workers together: fifteen payouts need three windows of a second
    // (five each for each worker would have needed two, and no limit one).
    expect(sentAt.at(-1)! - sentAt[0]!).toBeGreaterThanOrEqual(1_800);
  } finally {
    for (const w of workers) await w.close();
  }
});
