import { describe, expect, test } from 'vitest';
import { sign } from '../../../src/gateway/signature.js';
import { CARD, useSandboxApp } from './sandbox-app-fixture.js';

/** The sandbox's HTTP surface through `inject`: who may call, and what is accepted. */

const { sandbox, payout, post, signed, sendPayout } = useSandboxApp();

describe('who may call', () => {
  test.each<[string, Record<string, string>, string]>([
    ['no MERCHANT_KEY', { merchant_key: '' }, 'unauthorized'],
    ['a wrong MERCHANT_KEY', { merchant_key: 'wrong' }, 'unauthorized'],
  ])('%s: 401', async (_name, headers, code) => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/payout/', signed(payout('po-k')), headers);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code } });
    expect(s.received('po-k')).toMatchObject({ requests: 1, created: 0, answers: [401] });
  });

  test('a wrong signature: 401 invalid_signature, nothing created', async () => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/payout/', {
      ...payout('po-s'),
      signature: sign(payout('po-s'), 'other-salt'),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'invalid_signature', message: expect.any(String) } });
    expect(s.received('po-s')).toMatchObject({ requests: 1, created: 0 });
  });

  test('a signature over other values: 401', async () => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/payout/', { ...signed(payout('po-t')), amount: 999999 });
    expect(res.statusCode).toBe(401);
  });
});

describe('what is accepted', () => {
  test('a validation error names the field, and never echoes a value', async () => {
    const s = sandbox();
    const body = payout('po-v');
    const { card_holder: _, ...withoutHolder } = body.payment_data;
    const res = await sendPayout(s, { ...body, payment_data: withoutHolder });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'payment_data.card_holder: is required',
        issues: [{ path: 'payment_data.card_holder', message: 'is required' }],
      },
    });
    expect(res.body).not.toContain(CARD);
    expect(s.received('po-v')).toMatchObject({ requests: 1, created: 0, answers: [422] });
  });

  test('bad JSON is a 400 that does not quote the body', async () => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/payout/', `{"card_number":"${CARD}",`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(res.body).not.toContain(CARD);
  });

  test('a body that is not an object is a 400', async () => {
    const s = sandbox();
    expect((await post(s, '/v2/payment/payout/', '[1,2]')).statusCode).toBe(400);
  });

  test('another content type is a 415', async () => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/payout/', '<a/>', { 'content-type': 'application/xml' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  test('an unknown path is a JSON 404', async () => {
    const s = sandbox();
    const res = await post(s, '/v2/payment/refund/', {});
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
