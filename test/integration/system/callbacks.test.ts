import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { useFeedbackSystem, withMarker } from './feedback-fixture.js';

const { sys, received } = useFeedbackSystem();

describe('callbacks', () => {
  const callback = (params: Record<string, unknown>, salt = sys.config.gateway.salt) =>
    sys.request('POST', '/v1/callbacks/gateway', withSignature(params, salt), { authorization: '' });

  test.each([
    ['early: before the worker recorded submitted', '+early-callback', 'succeeded', 1],
    ['twice', '+dup-callback', 'succeeded', 2],
    ['out of order: PROCESSING after SUCCESS changes nothing', '+stale-callback', 'succeeded', 2],
    ['a decline', '+decline=054', 'failed', 1],
  ])('%s', async (_name, marker, final, callbacks) => {
    const body = withMarker(marker);
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === final);
    // Every callback the sandbox sends for it has been answered, the duplicate and stale ones too.
    await expect
      .poll(
        () => sys.sandbox.received(body.external_id)?.order?.callbacks.filter((c) => c.acknowledged).length,
        { timeout: 10_000 },
      )
      .toBe(callbacks);
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe(final);
    expect(
      after.history.filter((h: { to: string; from: string }) => h.to === final && h.from !== final),
    ).toHaveLength(1);
    expect(after.history.some((h: { contradiction?: boolean }) => h.contradiction)).toBe(false);
    expect(done.order_id).toBeTruthy();
  });

  test('a forged callback changes nothing and is not acknowledged', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const forged = {
      status: 4,
      type: 2,
      external_id: body.external_id,
      order_id: submitted.order_id,
      amount: 1,
      currency: 'USD',
      customer_id: 'x',
    };
    const bad = await callback(forged, 'not-the-salt');
    expect(bad.status).toBe(401);
    expect(bad.body).not.toEqual({ result: 'ok' });
    const unsigned = await sys.request('POST', '/v1/callbacks/gateway', forged);
    expect(unsigned.status).toBe(401);
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('submitted');
  });

  test('a contradiction is recorded, raised and notified, never applied', async () => {
    const body = withMarker('+instant');
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const res = await callback({
      status: 5,
      type: 2,
      external_id: body.external_id,
      order_id: done.order_id,
      amount: body.amount,
      currency: 'USD',
      customer_id: body.customer.customer_id,
      reason_code: '051',
      reason: 'Insufficient funds',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('succeeded');
    expect(after.history.at(-1)).toMatchObject({ contradiction: true, gateway_status: 5, actor: 'callback' });
    expect(sys.logs.some((l) => l.includes('CONTRADICTION') && l.includes(body.external_id))).toBe(true);
    await expect
      .poll(
        () =>
          received.some(
            (r) =>
              r.parsed.event === 'payout.contradiction' && r.parsed.payout.external_id === body.external_id,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
  });

  test("a decline's reason is kept masked, and a blank order_id leaves the recorded one", async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const res = await callback({
      status: 5,
      type: 2,
      external_id: body.external_id,
      order_id: '',
      amount: body.amount,
      currency: body.currency,
      customer_id: body.customer.customer_id,
      reason_code: '4111111111111111',
      reason: 'card 4111 1111 1111 1111 declined',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after).toMatchObject({ status: 'failed', order_id: submitted.order_id, gateway_status: 5 });
    expect(after.reason).toBe('card 411111******1111 declined');
    expect(after.reason_code).toBe('411111******1111');
    expect(JSON.stringify(after)).not.toMatch(/4111 ?1111 ?1111 ?1111/);
  });

  test('a callback about another amount or order under our external_id is raised, never applied', async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const same = {
      status: 4,
      type: 2,
      external_id: body.external_id,
      order_id: submitted.order_id,
      amount: body.amount,
      currency: body.currency,
      customer_id: body.customer.customer_id,
    };
    for (const other of [{ amount: body.amount * 100 }, { order_id: '999999999999' }]) {
      expect(await callback({ ...same, ...other })).toEqual({ status: 200, body: { result: 'ok' } });
    }
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after.status).toBe('submitted');
    const raised = after.history.filter((h: { contradiction?: boolean }) => h.contradiction);
    expect(raised.map((h: { reason: string }) => h.reason)).toEqual([
      expect.stringContaining('amount differ'),
      expect.stringContaining('order_id differ'),
    ]);
    // The payout's own callback still settles it.
    expect(await callback(same)).toEqual({ status: 200, body: { result: 'ok' } });
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).body.status).toBe('succeeded');
  });

  test('an unknown external_id is kept for operators and acknowledged', async () => {
    const res = await callback({
      status: 4,
      type: 2,
      external_id: 'po-we-never-sent',
      order_id: '1',
      amount: 1,
      currency: 'USD',
      customer_id: 'x',
    });
    expect(res).toEqual({ status: 200, body: { result: 'ok' } });
    const { listUnknownCallbacks } = await import('../../../src/feedback/callbacks.js');
    const { testRedis } = await import('../../helpers/redis.js');
    const redis = testRedis();
    const kept = await listUnknownCallbacks(redis, sys.system.store);
    redis.disconnect();
    expect(kept).toContainEqual(expect.objectContaining({ external_id: 'po-we-never-sent', status: 4 }));
  });

  test.each([
    ['not an object', '"x"', 400],
    ['a bad status', { status: 9, type: 2, external_id: 'a', order_id: '1' }, 400],
  ])('%s: refused, not acknowledged', async (_n, payload, code) => {
    const body = typeof payload === 'string' ? payload : withSignature(payload, sys.config.gateway.salt);
    const res = await sys.request('POST', '/v1/callbacks/gateway', body);
    expect(res.status).toBe(code);
  });
});

describe('callbacks signed with a salt of their own (CALLBACK_SIGNATURE_SALT)', () => {
  const callbackSalt = `test-callback-salt-${randomBytes(8).toString('hex')}`;
  let own: TestSystem;
  beforeAll(async () => {
    own = await startTestSystem({
      env: { CALLBACK_SIGNATURE_SALT: callbackSalt },
      sandbox: { callbackSalt },
    });
  });
  afterAll(async () => {
    await own?.close();
  });

  test("the gateway's callbacks settle payouts; one signed with SIGNATURE_SALT is refused", async () => {
    const body = withMarker('');
    expect((await own.request('POST', '/v1/payouts', body)).status).toBe(202);
    // The sandbox answers pending and settles by callback alone (the reconciler is hours away).
    const done = await own.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(done.history.at(-1)).toMatchObject({ actor: 'callback', to: 'succeeded' });

    const other = withMarker('+no-callback');
    await own.request('POST', '/v1/payouts', other);
    const submitted = await own.waitFor(other.external_id, (p) => p.status === 'submitted');
    const params = { status: 4, type: 2, external_id: other.external_id, order_id: submitted.order_id };
    const res = await own.request(
      'POST',
      '/v1/callbacks/gateway',
      withSignature(params, own.config.gateway.salt),
      { authorization: '' },
    );
    expect(res.status).toBe(401);
    expect((await own.request('GET', `/v1/payouts/${other.external_id}`)).body.status).toBe('submitted');
  });
});
