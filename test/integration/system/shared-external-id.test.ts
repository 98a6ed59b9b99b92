import { describe, expect, test } from 'vitest';
import { validateDepositRequest, validatePayoutRequest } from '../../../src/methods/index.js';
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
