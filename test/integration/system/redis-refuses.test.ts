import { afterEach, describe, expect, test } from 'vitest';
import { startPrivateRedis } from '../../helpers/private-redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { freePort, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * A Redis that answers but will not write: a replica during a fail-over (READONLY), or one full under
 * the noeviction policy the README asks for (OOM). The API answers 503, as when Redis cannot be
 * reached (DESIGN.md: "store unavailable (nothing accepted)"), never a 500.
 */

let sys: TestSystem | undefined;
let redis: Awaited<ReturnType<typeof startPrivateRedis>> | undefined;
afterEach(async () => {
  await sys?.close();
  await redis?.stop();
  sys = undefined;
  redis = undefined;
});

describe('Redis refusing writes', () => {
  test.each([
    [
      'a replica whose primary is gone (READONLY)',
      async () => ['--replicaof', '127.0.0.1', String(await freePort())],
    ],
    ['full, under noeviction (OOM)', async () => ['--maxmemory', '1']],
  ])('%s: a payout gets 503 store_unavailable, and reads still answer', async (_name, args) => {
    redis = await startPrivateRedis({ args: await args() });
    sys = await startTestSystem({ env: { REDIS_URL: redis.url }, parts: ['api'] });
    const body = cardPayout();
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'store_unavailable' } });
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).status).toBe(404);
  });
});
