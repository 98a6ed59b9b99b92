import { randomBytes } from 'node:crypto';
import { afterAll, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { withSignature } from '../../../src/gateway/signature.js';
import { createLogger } from '../../../src/logger.js';
import {
  createRedisOrderStore,
  createSandbox,
  type Sandbox,
  sandboxOrdersKey,
} from '../../../src/sandbox/index.js';
import { type System, startSystem } from '../../../src/system.js';
import { deletePrefix, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { freePort } from '../../helpers/system.js';

const redis = testRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redis, p);
  redis.disconnect();
});

const CARD = '4111111111111111';
const KEY = 'sandbox-restart-key';
const SALT = 'sandbox-restart-salt';

/** Makes sandboxes that keep their orders under one fresh prefix: a restart is a second one made. */
function keptSandbox() {
  const prefix = uniquePrefix('sandbox-orders');
  prefixes.push(prefix);
  return Object.assign(
    () => createSandbox({ merchantKey: KEY, salt: SALT, orders: createRedisOrderStore(redis, prefix) }),
    { prefix },
  );
}

const post = (s: Sandbox, url: string, body: Record<string, unknown>) =>
  s.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', merchant_key: KEY },
    payload: JSON.stringify(withSignature(body, SALT)),
  });

test('a restarted sandbox knows the orders it created before: status, replay, and no card number in Redis', async () => {
  const make = keptSandbox();
  const body = cardPayout({
    customer: {
      customer_id: 'c+decline+instant+no-callback',
      country: 'LV',
      first_name: 'A',
      last_name: 'B',
    },
  });
  delete (body as { method?: string }).method;

  const before = make();
  await before.listen(0);
  const created = (await post(before, '/v2/payment/payout/', body)).json();
  expect(created.display_data.card).toBe(CARD); // as the gateway does; the client masks it
  await before.close();

  const kept = await redis.hgetall(sandboxOrdersKey(make.prefix));
  expect(Object.keys(kept)).toEqual([body.external_id]);
  expect(JSON.stringify(kept)).not.toContain(CARD);

  const after = make();
  await after.listen(0);
  const status = await post(after, '/status/', { order_id: created.order_id });
  expect(status.statusCode).toBe(200);
  expect(status.json()).toMatchObject({
    status: 5,
    external_id: body.external_id,
    order_id: created.order_id,
  });
  const replay = await post(after, '/v2/payment/payout/', body);
  expect(replay.json()).toMatchObject({ status: 5, type: 2, order_id: created.order_id });
  expect(after.received(body.external_id)).toMatchObject({ created: 1 });
  await after.close();
});

test("after a restart, a payout under a kept deposit's external_id is still answered with the deposit, type 1", async () => {
  const make = keptSandbox();
  const body = cardPayout({
    customer: { customer_id: 'c+no-callback', country: 'LV', first_name: 'A', last_name: 'B' },
  });
  delete (body as { method?: string }).method;
  const deposit = { ...body, payment_data: { ...body.payment_data, cvv: '123' } };

  const before = make();
  await before.listen(0);
  const created = (await post(before, '/v2/payment/deposit/', deposit)).json();
  expect(created).toMatchObject({ type: 1, redirect: expect.any(String) });
  await before.close();

  const after = make();
  await after.listen(0);
  const replay = (await post(after, '/v2/payment/payout/', body)).json();
  expect(replay).toEqual(created);
  expect(after.received(body.external_id)).toMatchObject({ created: 1, order: { type: 1 } });
  await after.close();
});

test('new-order: every order of a repeated external_id is kept, without its card number, and known after a restart', async () => {
  const make = keptSandbox();
  const body = cardPayout({
    customer: {
      customer_id: 'c+new-order+instant+no-callback',
      country: 'LV',
      first_name: 'A',
      last_name: 'B',
    },
  });
  delete (body as { method?: string }).method;

  const before = make();
  const first = (await post(before, '/v2/payment/payout/', body)).json();
  const second = (await post(before, '/v2/payment/payout/', body)).json();
  expect(second.order_id).not.toBe(first.order_id);
  await before.close();
  expect(JSON.stringify(await redis.hgetall(sandboxOrdersKey(make.prefix)))).not.toContain(CARD);

  const after = make();
  await after.listen(0);
  expect(after.received(body.external_id)).toMatchObject({
    created: 2,
    orderIds: [first.order_id, second.order_id],
  });
  for (const orderId of [first.order_id, second.order_id]) {
    expect((await post(after, '/status/', { order_id: orderId })).json()).toMatchObject({
      status: 4,
      order_id: orderId,
    });
  }
  await after.close();
});

test('`npm start` restarted while a payout is submitted: the sandbox settles it after the restart and its callback arrives', async () => {
  const prefix = uniquePrefix('sandbox-restart');
  prefixes.push(prefix);
  const env = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    SANDBOX_TIME_SCALE: '0.001',
    API_KEYS: `restart-${randomBytes(12).toString('hex')}`,
    LOG_LEVEL: 'warn',
  };
  const logger = createLogger({ level: 'warn', destination: { write: () => true } as never });
  const start = () => startSystem(loadConfig(env), ['sandbox', 'api', 'worker'], logger);
  const api = `http://127.0.0.1:${env.PORT}`;
  const get = async (id: string): Promise<any> =>
    (await fetch(`${api}/v1/payouts/${id}`, { headers: { authorization: `Bearer ${env.API_KEYS}` } })).json();
  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 300; i++) {
      const p = await get(id);
      if (p.status === status) return p;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${id} never reached ${status}: ${JSON.stringify(await get(id))}`);
  };

  let system: System = await start();
  try {
    // Settles 4 s after creation, by callback only: long enough to restart in between.
    const body = cardPayout({
      customer: { customer_id: 'c+delay=4000', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    const res = await fetch(`${api}/v1/payouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.API_KEYS}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    const submitted = await waitFor(body.external_id, 'submitted');
    await system.close();

    system = await start();
    const done = await waitFor(body.external_id, 'succeeded');
    expect(done.order_id).toBe(submitted.order_id);
    expect(done.history.at(-1)).toMatchObject({ actor: 'callback', to: 'succeeded' });
  } finally {
    await system.close();
  }
}, 60_000);
