import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem({ parts: ['api'], env: { API_KEYS: 'short-key' } });
});
afterAll(async () => {
  await sys?.close();
});

test('a short API key starts the API with a warning, and is accepted', async () => {
  expect(sys.logs.some((l) => l.includes('"setting":"API_KEYS"') && l.includes('easy to guess'))).toBe(true);
  const res = await sys.request('GET', '/v1/payouts/po-none', undefined, {
    authorization: 'Bearer short-key',
  });
  expect(res.status).toBe(404);
  const wrong = await sys.request('GET', '/v1/payouts/po-none', undefined, {
    authorization: 'Bearer short-kex',
  });
  expect(wrong.status).toBe(401);
});
