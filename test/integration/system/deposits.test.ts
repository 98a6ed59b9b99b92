import { describe, expect, test } from 'vitest';
import { createDeposits } from '../../../src/deposits/deposits.js';
import { ConflictError } from '../../../src/errors.js';
import { withSignature } from '../../../src/gateway/signature.js';
import { testPayloadKey, testRedis } from '../../helpers/redis.js';
import { requestFor } from '../../unit/methods/fixtures.js';
import { id, useFeedbackSystem } from './feedback-fixture.js';

const { sys } = useFeedbackSystem();

describe('deposits', () => {
  /** A card deposit of a player whose customer_id carries sandbox markers. */
  const cardDeposit = (tag: string, customerId: string) => {
    const externalId = id(tag);
    const body = requestFor(
      'bank_card',
      'deposit',
      { exp_year: '2099' },
      {
        external_id: externalId,
        customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
      },
    );
    return { externalId, body };
  };

  const offered = [
    'bank_card',
    'p2p_card',
    'vega_wallet',
    'jeton_wallet',
    'emanat',
    'm10_wallet',
    'cash',
    'cis_transfer',
    'bank_transfer',
    'kakaopay',
    'toss',
    'payco',
  ] as const;

  test.each(offered)('%s: redirect, order_id and status returned; cvv never stored', async (method) => {
    const externalId = id(`dep${method.replaceAll('_', '')}`);
    const body = requestFor(method, 'deposit', method === 'bank_card' ? { exp_year: '2099' } : {}, {
      external_id: externalId,
      // Pending for a minute: settled by the sandbox's scaled 10 ms, a loaded machine could see its
      // callback land before the answer is read, and the answer would no longer be the one tested.
      customer: { customer_id: 'c+delay=60000', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ external_id: externalId, status: 'submitted', gateway_status: 3 });
    expect(res.body.redirect).toMatch(/^http/);
    expect(res.body.order_id).toBeTruthy();
    expect(JSON.stringify(res.body)).not.toContain('"123"');
    const again = await sys.request('POST', '/v1/deposits', body);
    expect(again.status).toBe(200);
    expect(again.body.order_id).toBe(res.body.order_id);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
  });

  test('after a PAYLOAD_KEY rotation the same deposit again is still the same, another body still 409', async () => {
    const externalId = id('deprot');
    const body = requestFor('bank_card', 'deposit', { exp_year: '2099' }, { external_id: externalId });
    expect((await sys.request('POST', '/v1/deposits', body)).status).toBe(201);
    // A process started after the rotation: a new current key, the old one kept for reading.
    const redis = testRedis();
    const rotated = createDeposits({
      redis,
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: { current: testPayloadKey(), previous: [sys.config.payloadKeys.current] },
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    });
    try {
      const again = await rotated.create(body);
      expect(again.created).toBe(false);
      await expect(rotated.create({ ...body, amount: 1 })).rejects.toBeInstanceOf(ConflictError);
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test('Redis lost after the send: 502 outcome unknown (never 503 "nothing accepted"), and not "in progress" forever', async () => {
    const { externalId, body } = cardDeposit('deplost', 'player+no-callback');
    const redis = testRedis();
    // The connection drops on the write after the send (the first script moves it to sending).
    let scripts = 0;
    const dropping = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop === 'evalsha' && ++scripts === 2)
          return () => Promise.reject(new Error('Connection is closed.'));
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const deps = {
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: sys.config.payloadKeys,
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    };
    try {
      const cut = createDeposits({ ...deps, redis: dropping });
      await expect(cut.create(body)).rejects.toMatchObject({
        code: 'gateway_outcome_unknown',
        httpStatus: 502,
      });
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
      // Within the send window the same request hears it is in progress; past it, that its outcome is unknown.
      await expect(createDeposits({ ...deps, redis }).create(body)).rejects.toMatchObject({
        httpStatus: 409,
      });
      await expect(createDeposits({ ...deps, redis, sendWindowMs: 0 }).create(body)).rejects.toMatchObject({
        code: 'gateway_outcome_unknown',
        httpStatus: 502,
      });
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test('a deposit Redis cannot make durable (REDIS_DURABILITY) is never sent: 503, then sent once when durable', async () => {
    const { externalId, body } = cardDeposit('depwait', 'player+no-callback');
    const redis = testRedis();
    const deps = {
      redis,
      queuePrefix: sys.config.queuePrefix,
      payloadKeys: sys.config.payloadKeys,
      gateway: sys.system.gateway,
      logger: sys.system.logger,
    };
    try {
      // No replica runs here: a WAIT for one never succeeds.
      const waiting = createDeposits({
        ...deps,
        durability: { level: 'replicas', replicas: 1, timeoutMs: 50 },
      });
      await expect(waiting.create(body)).rejects.toMatchObject({
        code: 'store_unavailable',
        httpStatus: 503,
      });
      expect(sys.sandbox.received(externalId)?.requests ?? 0).toBe(0);
      expect((await waiting.get(externalId))?.status).toBe('not_sent');
      const sent = await createDeposits(deps).create(body);
      expect(sent.created).toBe(true);
      expect(sent.deposit.status).toBe('submitted');
      expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  test.each([
    ['ecopayz', 422],
    ['sticpay', 422],
  ])('%s offers no deposits: %i', async (method, code) => {
    const res = await sys.request('POST', '/v1/deposits', {
      method,
      payment_system: 'X',
      external_id: id(),
      amount: 1,
      currency: 'USD',
      customer: { customer_id: 'c', country: 'LV', first_name: 'A', last_name: 'B' },
      payment_data: { wallet: '1' },
    });
    expect(res.status).toBe(code);
    expect(res.body.error.issues[0].path).toBe('method');
  });

  test('an unknown outcome is reported as such and never retried', async () => {
    const externalId = id('dep');
    const body = requestFor(
      'jeton_wallet',
      'deposit',
      {},
      {
        external_id: externalId,
        customer: { customer_id: 'p+500+no-callback', country: 'LV', first_name: 'A', last_name: 'B' },
      },
    );
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('gateway_outcome_unknown');
    expect((await sys.request('POST', '/v1/deposits', body)).status).toBe(502);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
  });

  test('a deposit callback about another amount or order is raised, never applied; its own settles it', async () => {
    const { externalId, body } = cardDeposit('depother', 'player+no-callback');
    const created = await sys.request('POST', '/v1/deposits', body);
    expect(created.body.status).toBe('submitted');
    const own = {
      status: 4,
      type: 1,
      external_id: externalId,
      order_id: created.body.order_id,
      amount: body.amount,
      currency: body.currency,
    };
    const callback = (params: Record<string, unknown>) =>
      sys.request('POST', '/v1/callbacks/gateway', withSignature(params, sys.config.gateway.salt), {
        authorization: '',
      });
    for (const other of [
      { amount: Number(body.amount) + 1 },
      { currency: 'EUR' },
      { order_id: '999999999999' },
    ]) {
      expect(await callback({ ...own, ...other })).toEqual({ status: 200, body: { result: 'ok' } });
    }
    const redis = testRedis();
    try {
      const recordKey = `${sys.config.queuePrefix}:deposit:${externalId}`;
      expect(await redis.hget(recordKey, 'status')).toBe('submitted');
      const history = (
        await redis.lrange(`${sys.config.queuePrefix}:deposit-history:${externalId}`, 0, -1)
      ).map((l) => JSON.parse(l) as { contradiction?: boolean; reason?: string });
      expect(history.filter((h) => h.contradiction).map((h) => h.reason)).toEqual([
        expect.stringContaining('amount differ'),
        expect.stringContaining('currency differ'),
        expect.stringContaining('order_id differ'),
      ]);
      expect(await callback(own)).toEqual({ status: 200, body: { result: 'ok' } });
      expect(await redis.hget(recordKey, 'status')).toBe('succeeded');
    } finally {
      redis.disconnect();
    }
  });

  test('a callback about a deposit the casino was told was never sent is raised, never applied', async () => {
    const { externalId, body } = cardDeposit('depnotsent', 'player+503x5');
    const res = await sys.request('POST', '/v1/deposits', body);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('gateway_unavailable');
    const callback = {
      status: 4,
      type: 1,
      external_id: externalId,
      amount: body.amount,
      currency: body.currency,
    };
    expect(
      await sys.request('POST', '/v1/callbacks/gateway', withSignature(callback, sys.config.gateway.salt), {
        authorization: '',
      }),
    ).toEqual({ status: 200, body: { result: 'ok' } });
    const redis = testRedis();
    try {
      expect(await redis.hget(`${sys.config.queuePrefix}:deposit:${externalId}`, 'status')).toBe('not_sent');
      const history = await redis.lrange(`${sys.config.queuePrefix}:deposit-history:${externalId}`, 0, -1);
      expect(JSON.parse(history.at(-1)!)).toMatchObject({ contradiction: true, gateway_status: 4 });
    } finally {
      redis.disconnect();
    }
  });

  test('a deposit callback (type 1) settles the deposit', async () => {
    const externalId = id('dep');
    const body = requestFor('jeton_wallet', 'deposit', {}, { external_id: externalId });
    await sys.request('POST', '/v1/deposits', body);
    const { testRedis } = await import('../../helpers/redis.js');
    const redis = testRedis();
    await expect
      .poll(async () => redis.hget(`${sys.config.queuePrefix}:deposit:${externalId}`, 'status'), {
        timeout: 10_000,
      })
      .toBe('succeeded');
    const all = await redis.hgetall(`${sys.config.queuePrefix}:deposit:${externalId}`);
    redis.disconnect();
    expect(JSON.stringify(all)).not.toContain('cvv');
  });
});
