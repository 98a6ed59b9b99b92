import { describe, expect, test } from 'vitest';
import { CARD, MERCHANT_KEY, useSandboxApp } from './sandbox-app-fixture.js';

/** The sandbox's HTTP surface through `inject`: status, balances, deposits and the orders' view. */

const { sandbox, payout, post, signed, sendPayout } = useSandboxApp();

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
