import { describe, expect, test } from 'vitest';
import { createSandbox } from '../../../src/sandbox/index.js';
import { CARD, useSandboxApp } from './sandbox-app-fixture.js';

/** The sandbox's HTTP surface through `inject`: one order per external_id, and the faults it injects. */

const { sandbox, payout, post, signed, sendPayout } = useSandboxApp();

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

  // Deposits and payouts share the external_id (the merchant's order id): a repeat at the other
  // endpoint is still a repeat, answered with the first transaction's own answer and true type.
  test("replay across endpoints: a payout under a deposit's external_id gets the deposit's answer, type 1", async () => {
    const s = sandbox({ settleDelayMs: 3_600_000 });
    const depositBody = { ...payout('d-1'), payment_data: { ...payout('d-1').payment_data, cvv: '123' } };
    const deposit = (await post(s, '/v2/payment/deposit/', signed(depositBody))).json();
    expect(deposit).toMatchObject({ status: 3, type: 1, external_id: 'd-1' });
    const replayed = await sendPayout(s, payout('d-1', 'c-1', { amount: 1100 }));
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual(deposit);
    const polled = await post(s, '/status/', signed({ order_id: deposit.order_id }));
    expect(polled.json()).toMatchObject({ type: 1, order_id: deposit.order_id, external_id: 'd-1' });
    expect(s.received('d-1')).toMatchObject({ requests: 2, created: 1, order: { type: 1 } });
  });

  test("replay across endpoints: a deposit under a payout's external_id gets the payout's answer, type 2", async () => {
    const s = sandbox();
    const first = (await sendPayout(s, payout('p-1'))).json();
    const body = { ...payout('p-1'), payment_data: { ...payout('p-1').payment_data, cvv: '123' } };
    const replayed = (await post(s, '/v2/payment/deposit/', signed(body))).json();
    expect(replayed).toEqual(first);
    expect(replayed).toMatchObject({ type: 2 });
    expect(replayed.redirect).toBeUndefined();
  });

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
