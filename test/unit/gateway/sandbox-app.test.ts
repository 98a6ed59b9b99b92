import { afterEach, describe, expect, test } from 'vitest';
import { sign, withSignature } from '../../../src/gateway/signature.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/index.js';

/** The sandbox's HTTP surface through `inject`: nothing listens. */

const MERCHANT_KEY = 'sandbox-test-key';
const SALT = 'sandbox-test-salt';
const CARD = '4111111111111111';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  for (const s of sandboxes.splice(0)) await s.close();
});

function sandbox(options: Partial<SandboxOptions> = {}): Sandbox {
  const s = createSandbox({ merchantKey: MERCHANT_KEY, salt: SALT, timeScale: 0.001, ...options });
  sandboxes.push(s);
  return s;
}

const payout = (externalId: string, customerId = 'c-1', more: Record<string, unknown> = {}) => ({
  payment_system: 'TEST_PS',
  external_id: externalId,
  amount: 1000,
  currency: 'USD',
  customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
  payment_data: { card_number: CARD, card_holder: 'John Doe', exp_year: '2030', exp_month: '06' },
  ...more,
});

function post(s: Sandbox, url: string, body: unknown, headers: Record<string, string> = {}) {
  return s.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', merchant_key: MERCHANT_KEY, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const signed = (body: Record<string, unknown>) => withSignature(body, SALT);
const sendPayout = (s: Sandbox, body: Record<string, unknown>) =>
  post(s, '/v2/payment/payout/', signed(body));

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

describe('one order per external_id', () => {
  test('a payout is answered with status 1 and the card in display_data, as the gateway does', async () => {
    const s = sandbox();
    const res = await sendPayout(s, payout('po-1'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 1,
      type: 2,
      external_id: 'po-1',
      order_id: expect.stringMatching(/^\d{30}$/),
      display_data: { card: CARD, card_holder: 'John Doe', bank_name: 'Sandbox Bank' },
    });
    const record = s.received('po-1');
    expect(record).toMatchObject({
      requests: 1,
      created: 1,
      answers: [200],
      order: { method: 'bank_card', status: 1 },
    });
    expect(JSON.stringify(s.received())).not.toContain(CARD);
  });

  test('replay: the same external_id again gets the first answer, and no second order', async () => {
    const s = sandbox({ duplicates: 'replay' });
    const first = await sendPayout(s, payout('po-r'));
    const second = await sendPayout(s, payout('po-r'));
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(s.received('po-r')).toMatchObject({
      requests: 2,
      created: 1,
      answers: [200, 200],
      sameBody: true,
    });
  });

  test('refuse: the same external_id again is a 409 duplicate_external_id', async () => {
    const s = sandbox({ duplicates: 'refuse' });
    await sendPayout(s, payout('po-d'));
    const second = await sendPayout(s, payout('po-d'));
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { code: 'duplicate_external_id' } });
    expect(s.received('po-d')).toMatchObject({ requests: 2, created: 1, answers: [200, 409] });
  });

  test.each(['replay', 'refuse'] as const)(
    'new-order (duplicates: %s): the same external_id again makes a second order, each polled on its own',
    async (duplicates) => {
      const s = sandbox({ duplicates });
      const first = await sendPayout(s, payout('po-n', 'c+new-order+instant'));
      const second = await sendPayout(s, payout('po-n', 'c+new-order+instant'));
      expect(second.statusCode).toBe(200);
      expect(second.json().order_id).not.toBe(first.json().order_id);
      expect(s.received('po-n')).toMatchObject({
        requests: 2,
        created: 2,
        orderIds: [first.json().order_id, second.json().order_id],
        order: { order_id: first.json().order_id },
      });
      for (const answer of [first.json(), second.json()]) {
        const polled = await post(s, '/status/', signed({ order_id: answer.order_id }));
        expect(polled.json()).toMatchObject({ order_id: answer.order_id, external_id: 'po-n', status: 4 });
      }
    },
  );

  test('a changed body under the same external_id is noticed', async () => {
    const s = sandbox();
    await sendPayout(s, payout('po-c'));
    await sendPayout(s, payout('po-c', 'c-1', { amount: 2000 }));
    expect(s.received('po-c')).toMatchObject({ requests: 2, created: 1, sameBody: false });
  });

  test('503x2: two refusals with Retry-After, counted, then the order', async () => {
    const s = sandbox();
    const body = payout('po-503', 'c+503x2+retry-after=7');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await sendPayout(s, body));
    expect(answers.map((r) => r.statusCode)).toEqual([503, 503, 200]);
    expect(answers[0]!.headers['retry-after']).toBe('7');
    expect(s.received('po-503')).toMatchObject({ requests: 3, created: 1, answers: [503, 503, 200] });
  });

  test('429x1', async () => {
    const s = sandbox();
    const body = payout('po-429', 'c+429x1');
    expect((await sendPayout(s, body)).statusCode).toBe(429);
    expect((await sendPayout(s, body)).statusCode).toBe(200);
  });

  test('500 after creating the order', async () => {
    const s = sandbox();
    const res = await sendPayout(s, payout('po-500', 'c+500'));
    expect(res.statusCode).toBe(500);
    expect(s.received('po-500')).toMatchObject({ requests: 1, created: 1, answers: [500] });
  });

  test('instant decline: the final status with its reason in the answer', async () => {
    const s = sandbox();
    const res = await sendPayout(s, payout('po-x', 'c+decline=054+instant'));
    expect(res.json()).toMatchObject({ status: 5, reason_code: '054', reason: 'Expired card' });
  });

  test('unknown: status 7 in the answer', async () => {
    const s = sandbox();
    expect((await sendPayout(s, payout('po-u', 'c+unknown'))).json()).toMatchObject({ status: 7 });
  });
});

describe('global faults, seeded', () => {
  test('rate503 = 1: every create request is a 503 and nothing is created', async () => {
    const s = sandbox({ faults: { rate503: 1 } });
    for (let i = 0; i < 3; i++) expect((await sendPayout(s, payout('po-f'))).statusCode).toBe(503);
    expect(s.received('po-f')).toMatchObject({ requests: 3, created: 0 });
  });

  test('rate500AfterCreate = 1: the order exists, the answer is a 500', async () => {
    const s = sandbox({ faults: { rate500AfterCreate: 1 } });
    expect((await sendPayout(s, payout('po-g'))).statusCode).toBe(500);
    expect(s.received('po-g')).toMatchObject({ created: 1 });
  });

  test('the same seed gives the same faults', async () => {
    const run = async () => {
      const s = sandbox({ faults: { rate503: 0.5, seed: 42 } });
      const codes = [];
      for (let i = 0; i < 20; i++) codes.push((await sendPayout(s, payout(`po-seed-${i}`))).statusCode);
      return codes;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });

  test('latency delays the answer', async () => {
    const s = sandbox({ latency: 60 });
    const started = Date.now();
    await sendPayout(s, payout('po-l'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  test('rates outside 0..1 are refused', () => {
    expect(() => createSandbox({ merchantKey: 'k', salt: 's', faults: { rate503: 2 } })).toThrow(RangeError);
  });
});

describe('status, balances, deposits, the view', () => {
  test('status: the current answer shape, 404 for an unknown order, 401 for a bad signature', async () => {
    const s = sandbox();
    const created = (await sendPayout(s, payout('po-st', 'c+decline+instant'))).json();
    const res = await post(s, '/status/', signed({ order_id: created.order_id }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 5,
      type: 2,
      external_id: 'po-st',
      order_id: created.order_id,
      reason_code: '051',
      reason: 'Insufficient funds',
    });
    expect(s.received('po-st')).toMatchObject({ statusRequests: 1 });
    const missing = await post(s, '/status/', signed({ order_id: '1' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'order_not_found' } });
    expect((await post(s, '/status/', { order_id: created.order_id, signature: 'x' })).statusCode).toBe(401);
  });

  test('balances: JSON with the key, 401 without', async () => {
    const s = sandbox();
    const ok = await s.app.inject({
      method: 'GET',
      url: '/balances/',
      headers: { merchant_key: MERCHANT_KEY },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      balances: expect.arrayContaining([expect.objectContaining({ currency: 'USD' })]),
    });
    expect((await s.app.inject({ method: 'GET', url: '/balances/' })).statusCode).toBe(401);
  });

  test('a deposit redirects to the sandbox page, which can settle it', async () => {
    // Left alone the deposit settles by itself after 10 ms; on a loaded machine that came before the
    // player's click, and the click found nothing left to decide.
    const s = sandbox({ settleDelayMs: 3_600_000 });
    const body = { ...payout('dep-1'), payment_data: { ...payout('dep-1').payment_data, cvv: '123' } };
    const res = await post(s, '/v2/payment/deposit/', signed(body));
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({ status: 3, type: 1, external_id: 'dep-1' });
    const path = new URL(answer.redirect).pathname;
    expect(path).toBe(`/sandbox/pay/${answer.order_id}`);
    const page = await s.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('dep-1');
    expect(page.body).not.toContain(CARD);
    const paid = await s.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'decision=decline',
    });
    expect(paid.body).toContain('DECLINE');
    expect(s.received('dep-1')?.order).toMatchObject({ type: 1, status: 5 });
  });

  test('GET /sandbox/orders and /sandbox/orders/:external_id', async () => {
    const s = sandbox();
    await sendPayout(s, payout('po-view'));
    const all = await s.app.inject({ method: 'GET', url: '/sandbox/orders' });
    expect(all.json()).toEqual({ orders: [s.received('po-view')] });
    const one = await s.app.inject({ method: 'GET', url: '/sandbox/orders/po-view' });
    expect(one.json()).toMatchObject({ external_id: 'po-view', requests: 1, created: 1 });
    expect((await s.app.inject({ method: 'GET', url: '/sandbox/orders/none' })).statusCode).toBe(404);
    expect(all.body).not.toContain(CARD);
  });

  test('a pending order settles after the scaled delay; the status endpoint shows it', async () => {
    const s = sandbox({ timeScale: 0.001 });
    const created = (await sendPayout(s, payout('po-settle'))).json();
    await new Promise((r) => setTimeout(r, 60));
    const res = await post(s, '/status/', signed({ order_id: created.order_id }));
    expect(res.json()).toMatchObject({ status: 4 });
  });
});
