import { describe, expect, test } from 'vitest';
import { withSignature } from '../../../src/gateway/signature.js';
import { validateDepositRequest, validatePayoutRequest } from '../../../src/methods/index.js';
import { applyGatewayReport } from '../../../src/payout/gateway-report.js';
import { testRedis } from '../../helpers/redis.js';
import { requestFor } from '../../unit/methods/fixtures.js';
import { id, useFeedbackSystem, withMarker } from './feedback-fixture.js';

/**
 * The gateway's external_id is the merchant's order id, shared by deposits and payouts: a payout
 * answered with a deposit's order (the sandbox replays the first answer of a repeated external_id) is
 * not the payout's acceptance, and must never end submitted or succeeded.
 */

const { sys } = useFeedbackSystem();

/** A card deposit, as the API takes it, of a player whose customer_id carries sandbox markers. */
const cardDeposit = (externalId: string, customerId = 'player+no-callback') =>
  requestFor(
    'bank_card',
    'deposit',
    { exp_year: '2099' },
    {
      external_id: externalId,
      amount: 1000,
      customer: { customer_id: customerId, country: 'LV', first_name: 'A', last_name: 'B' },
    },
  );

/** Sends a deposit to the gateway straight, as another system on the same merchant account would. */
async function depositElsewhere(externalId: string) {
  const valid = validateDepositRequest(cardDeposit(externalId));
  if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
  const outcome = await sys.system.gateway.deposit(valid.request);
  if (outcome.kind !== 'accepted') throw new Error(`deposit not accepted: ${outcome.kind}`);
  return outcome.answer.order_id;
}

/** Sends a payout to the gateway straight, unknown to this deployment. */
async function payoutElsewhere(externalId: string) {
  const valid = validatePayoutRequest(withMarker('+no-callback', { external_id: externalId }));
  if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
  const outcome = await sys.system.gateway.payout(valid.request);
  if (outcome.kind !== 'accepted') throw new Error(`payout not accepted: ${outcome.kind}`);
  return outcome.answer.order_id;
}

describe('a payout answered with a deposit of the same external_id', () => {
  test('goes to needs_review naming what came back, never submitted or succeeded', async () => {
    const externalId = id('d');
    const depositOrder = await depositElsewhere(externalId);
    const body = withMarker('', { external_id: externalId, amount: 1100 });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const review = await sys.waitFor(externalId, (p) => p.status !== 'queued' && p.status !== 'sending');
    expect(review.status).toBe('needs_review');
    expect(review.reason).toBe(`gateway_answered_other_type: type 1 (deposit), order ${depositOrder}`);
    // The deposit's order is not the payout's: nothing polls it as the payout's.
    expect(review.order_id).toBeNull();
    // Reconciler runs (every second here) leave it for an operator.
    await new Promise((r) => setTimeout(r, 2_500));
    const after = (await sys.request('GET', `/v1/payouts/${externalId}`)).body;
    expect(after.status).toBe('needs_review');
    expect(after.history.map((h: { to?: string }) => h.to)).not.toContain('submitted');
    // The sandbox made one order under this external_id: the deposit. It was asked for nothing else.
    expect(sys.sandbox.received(externalId)).toMatchObject({ created: 1, requests: 2 });
  });
});

describe('a deposit answered with a payout of the same external_id', () => {
  test('is not shown as the deposit: 502 outcome unknown, naming what came back', async () => {
    const externalId = id('p');
    const payoutOrder = await payoutElsewhere(externalId);
    const res = await sys.request('POST', '/v1/deposits', cardDeposit(externalId));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('gateway_outcome_unknown');
    expect(res.body.error.message).toContain(`type 2 (payout), order ${payoutOrder}`);
    expect(JSON.stringify(res.body)).not.toContain('"order_id"');
    expect(sys.sandbox.received(externalId)).toMatchObject({ created: 1, requests: 2 });
  });
});

/** A signed callback from the gateway. */
const callback = (params: Record<string, unknown>) =>
  sys.request('POST', '/v1/callbacks/gateway', withSignature(params, sys.config.gateway.salt), {
    authorization: '',
  });

const contradictionsOf = (payout: { history: { contradiction?: boolean; reason?: string }[] }) =>
  payout.history.filter((h) => h.contradiction);

describe("the gateway's reports of a deposit under a payout's external_id", () => {
  test("a payout left submitted with a deposit's order (as the defect did): the poll's type 1 is raised once, never applied", async () => {
    const externalId = id('d');
    const depositOrder = await depositElsewhere(externalId);
    const valid = validatePayoutRequest(withMarker('', { external_id: externalId, amount: 1100 }));
    if (!valid.ok) throw new Error(JSON.stringify(valid.issues));
    const { store } = sys.system;
    await store.create({ method: valid.method, request: valid.request, masked: {} });
    const claim = await store.claim(externalId, Date.now());
    if (!claim.ok) throw new Error('claim refused');
    const deps = { store, logger: sys.system.logger };
    await applyGatewayReport(deps, externalId, { status: 3, orderId: depositOrder }, 'worker');
    // The reconciler (every second here) polls the deposit's order, which the sandbox settles.
    const raised = await sys.waitFor(externalId, (p) => contradictionsOf(p).length > 0, 10_000);
    expect(contradictionsOf(raised)[0]).toMatchObject({
      actor: 'reconciler',
      order_id: depositOrder,
      reason: `gateway reported status 4 (order ${depositOrder}) of type 1 (deposit) for another transaction under this external_id: type differ`,
    });
    // More runs poll it again (past its deadline, from needs_review): nothing new is raised.
    await new Promise((r) => setTimeout(r, 3_500));
    const after = (await sys.request('GET', `/v1/payouts/${externalId}`)).body;
    expect(['submitted', 'needs_review']).toContain(after.status);
    expect(after.history.map((h: { to?: string }) => h.to)).not.toContain('succeeded');
    expect(contradictionsOf(after)).toHaveLength(1);
    expect(sys.sandbox.received(externalId)?.statusRequests).toBeGreaterThan(1);
  });

  test("a deposit's callback under a payout's external_id is raised on the payout, never applied", async () => {
    const body = withMarker('+no-callback');
    await sys.request('POST', '/v1/payouts', body);
    const submitted = await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    const deposit = {
      status: 4,
      type: 1,
      external_id: body.external_id,
      order_id: '777777777777',
      amount: 1000,
      currency: body.currency,
      customer_id: body.customer.customer_id,
    };
    expect(await callback(deposit)).toEqual({ status: 200, body: { result: 'ok' } });
    const after = (await sys.request('GET', `/v1/payouts/${body.external_id}`)).body;
    expect(after).toMatchObject({ status: 'submitted', order_id: submitted.order_id });
    expect(contradictionsOf(after).map((h) => h.reason)).toEqual([
      expect.stringContaining(
        'of type 1 (deposit) for another transaction under this external_id: type, amount, order_id differ',
      ),
    ]);
  });

  test("a payout's callback under a deposit's external_id is raised on the deposit, never applied", async () => {
    const externalId = id('dep');
    const created = await sys.request('POST', '/v1/deposits', cardDeposit(externalId));
    expect(created.status).toBe(201);
    const payout = {
      status: 4,
      type: 2,
      external_id: externalId,
      order_id: created.body.order_id,
      amount: 1000,
      currency: 'USD',
    };
    expect(await callback(payout)).toEqual({ status: 200, body: { result: 'ok' } });
    const redis = testRedis();
    try {
      const prefix = sys.config.queuePrefix;
      expect(await redis.hget(`${prefix}:deposit:${externalId}`, 'status')).toBe('submitted');
      const history = (await redis.lrange(`${prefix}:deposit-history:${externalId}`, 0, -1)).map(
        (l) => JSON.parse(l) as { contradiction?: boolean; reason?: string },
      );
      expect(history.filter((h) => h.contradiction).map((h) => h.reason)).toEqual([
        "callback about another transaction (type 2 (payout)) under this deposit's external_id: type differ",
      ]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('one external_id, one transaction: refused at the door', () => {
  test("a payout under a deposit's external_id: 409 naming the deposit, nothing stored or sent (API and batches)", async () => {
    const externalId = id('d');
    expect((await sys.request('POST', '/v1/deposits', cardDeposit(externalId))).status).toBe(201);
    const body = withMarker('+no-callback', { external_id: externalId, amount: 1100 });
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'external_id_conflict',
      message: `external_id ${externalId} belongs to a deposit: deposits and payouts share the gateway's external_id (the merchant's order id), so this payout needs an external_id of its own`,
    });
    const batch = await sys.request('POST', '/v1/payout-batches', { payouts: [body] });
    expect(batch.body.results).toEqual([
      {
        external_id: externalId,
        status: 409,
        issues: [{ path: '', message: expect.stringContaining('belongs to a deposit') }],
      },
    ]);
    expect((await sys.request('GET', `/v1/payouts/${externalId}`)).status).toBe(404);
    expect(sys.sandbox.received(externalId)).toMatchObject({ requests: 1, created: 1 });
  });

  test("a deposit under a payout's external_id, live or archived: 409 naming the payout, nothing stored or sent", async () => {
    const body = withMarker('+no-callback');
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const res = await sys.request('POST', '/v1/deposits', cardDeposit(body.external_id));
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'external_id_conflict',
      message: `external_id ${body.external_id} belongs to a payout: deposits and payouts share the gateway's external_id (the merchant's order id), so this deposit needs an external_id of its own`,
    });
    await sys.waitFor(body.external_id, (p) => p.status === 'submitted');
    expect(sys.sandbox.received(body.external_id)).toMatchObject({ requests: 1, created: 1 });

    // An archived payout leaves its tombstone: its external_id is still a payout's.
    const archived = id('po');
    const redis = testRedis();
    try {
      await redis.set(sys.system.store.keys.tombstone(archived), 'digest');
      const again = await sys.request('POST', '/v1/deposits', cardDeposit(archived));
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain('belongs to a payout');
      expect(await redis.exists(sys.system.store.keys.deposit(body.external_id))).toBe(0);
      expect(await redis.exists(sys.system.store.keys.deposit(archived))).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect(sys.sandbox.received(archived)).toBeUndefined();
  });

  test('a deposit and a payout of one external_id sent at once: exactly one is accepted', async () => {
    for (let round = 0; round < 10; round++) {
      const externalId = id('race');
      const [deposit, payout] = await Promise.all([
        sys.request('POST', '/v1/deposits', cardDeposit(externalId)),
        sys.request('POST', '/v1/payouts', withMarker('+no-callback', { external_id: externalId })),
      ]);
      const accepted = [deposit.status === 201, payout.status === 202].filter(Boolean);
      expect(accepted, `round ${round}: ${deposit.status} ${payout.status}`).toHaveLength(1);
      expect([deposit.status, payout.status]).toContain(409);
    }
  });
});
