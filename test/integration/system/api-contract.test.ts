import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { closeCheckingLogs, id } from './lifecycle-fixture.js';

let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await closeCheckingLogs(sys);
});

describe('the API contract', () => {
  test.each([
    ['no key', {}, 401],
    ['wrong key', { authorization: 'Bearer wrong-key-wrong-key' }, 401],
    ['malformed header', { authorization: 'Basic abc' }, 401],
  ])('%s: 401', async (_n, headers, status) => {
    const res = await fetch(`${sys.api}/v1/payouts/po-1`, { headers });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  test.each([
    ['a broken percent-escape', '/v1/payouts/%E0%A4%A'],
    ['an external_id past the router limit', `/v1/payouts/${'a'.repeat(600)}`],
  ])("%s in the path gets the API's error shape, not fastify's", async (_name, path) => {
    const res = await fetch(`${sys.api}${path}`, { headers: { authorization: `Bearer ${sys.apiKey}` } });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(body.error.code).toEqual(expect.any(String));
    expect(body.error.message).not.toContain(path.slice(12, 40));
  });

  test('422 names the field; nothing is stored', async () => {
    const body = cardPayout({
      external_id: id(),
      payment_data: { card_number: '4111111111111112', card_holder: 'A', exp_year: '2099', exp_month: '13' },
    });
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'payment_data.card_number',
      'payment_data.exp_month',
    ]);
    expect(JSON.stringify(res.body)).not.toContain('4111111111111112');
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).status).toBe(404);
  });

  test('a payout with cvv is refused with its own message', async () => {
    const body = cardPayout({ external_id: id() });
    const res = await sys.request('POST', '/v1/payouts', {
      ...body,
      payment_data: { ...body.payment_data, cvv: '123' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.issues).toContainEqual(
      expect.objectContaining({ path: 'payment_data.cvv', message: expect.stringMatching(/security code/i) }),
    );
  });

  test.each([
    ['bad JSON', '{"method":', 400, 'invalid_json'],
    ['a JSON array', '[1,2]', 422, 'validation_failed'],
    ['JSON null', 'null', 422, 'validation_failed'],
    [
      'an object where text is expected, shaped to break a length check',
      JSON.stringify(
        cardPayout({
          customer: {
            customer_id: { length: { toString: '' } },
            country: 'LV',
            first_name: 'A',
            last_name: 'B',
          },
        }),
      ),
      422,
      'validation_failed',
    ],
  ])('%s: %i', async (_n, raw, status, code) => {
    const res = await sys.request('POST', '/v1/payouts', raw);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  test('413 for a body over the limit', async () => {
    const res = await sys.request('POST', '/v1/payouts', { pad: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('body_too_large');
  });

  test('415 for a body that is not JSON', async () => {
    const res = await sys.request('POST', '/v1/payouts', 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(415);
  });

  test('GET of an unknown or malformed external_id', async () => {
    expect((await sys.request('GET', '/v1/payouts/po-never-seen')).status).toBe(404);
    expect((await sys.request('GET', `/v1/payouts/${'x'.repeat(300)}`)).status).toBe(422);
  });

  test('healthz, readyz and docs', async () => {
    expect((await fetch(`${sys.api}/healthz`)).status).toBe(200);
    const ready = await fetch(`${sys.api}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: true, workers: true } });
    const docs = await fetch(`${sys.api}/docs/json`);
    expect(docs.status).toBe(200);
    const spec = (await docs.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/payouts', '/v1/payouts/{external_id}']),
    );
  });
});
