import { afterAll, beforeAll, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { freePort, startTestSystem, type TestSystem } from '../../helpers/system.js';

let sys: TestSystem;
let probe: string;

beforeAll(async () => {
  const port = await freePort();
  sys = await startTestSystem({ parts: ['worker'], env: { METRICS_PORT: String(port) } });
  probe = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await sys?.close();
});

test('a worker without the API serves /metrics, /healthz and /readyz on METRICS_PORT', async () => {
  const body = cardPayout({
    customer: { customer_id: 'p+instant', country: 'LV', first_name: 'A', last_name: 'B' },
  });
  await sys.system.producer.enqueuePayout(body);
  await expect
    .poll(async () => (await sys.system.store.get(body.external_id))?.status, { timeout: 10_000 })
    .toBe('succeeded');

  expect((await fetch(`${probe}/healthz`)).status).toBe(200);
  const ready = await fetch(`${probe}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: true, workers: true } });
  const metrics = await (await fetch(`${probe}/metrics`)).text();
  expect(metrics).toMatch(
    /payouts_gateway_request_duration_seconds_count\{endpoint="payout",outcome="final"\} 1\b/,
  );
  expect(metrics).toContain('payouts_transitions_total');
  // the API is not served here
  expect((await fetch(`${probe}/v1/payouts/${body.external_id}`)).status).toBe(404);
});
