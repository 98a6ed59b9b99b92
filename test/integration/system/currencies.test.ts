import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createCurrencies,
  DEFAULT_CURRENCIES,
  DEFAULT_WHOLE_UNIT_CURRENCIES,
} from '../../../src/currency/index.js';
import { withSignature } from '../../../src/gateway/signature.js';
import { status } from '../../../src/ops/commands.js';
import { cardPayout } from '../../helpers/requests.js';
import { startPayoutWorker, startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * POST /v1/payouts against the currency rules: a currency whose unit the gateway has not confirmed is
 * refused before anything is stored or sent, and the settings are what let one through.
 */

describe('unset settings', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem();
  });
  afterAll(async () => {
    await sys?.close();
  });

  test('KWD (three decimals in ISO 4217) is refused with a 422 naming currency, why, and the setting', async () => {
    const body = cardPayout({ currency: 'KWD', amount: 1500 });
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues).toEqual([
      { path: 'currency', message: DEFAULT_CURRENCIES.unitRefusal('KWD') },
    ]);
    const [issue] = res.body.error.issues;
    expect(issue.message).toContain('KWD has 3 decimal places in ISO 4217');
    expect(issue.message).toContain('GATEWAY_WHOLE_UNIT_CURRENCIES');
    expect((await sys.request('GET', `/v1/payouts/${body.external_id}`)).status).toBe(404);
    expect(sys.sandbox.received(body.external_id)).toBeUndefined();
  });

  test('an approval rule or a limit in KWD is refused with a 422 naming its currency and why; nothing is stored', async () => {
    const why = `no payout can be made in KWD: ${DEFAULT_CURRENCIES.unitRefusal('KWD')}`;
    const rules = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', {
      rules: [
        { currency: 'EUR', min_amount: 100, approvals: 1 },
        { currency: 'KWD', min_amount: 100, approvals: 1 },
      ],
    });
    expect(rules.status).toBe(422);
    expect(rules.body.error.issues).toEqual([{ path: 'rules.1.currency', message: why }]);
    const limits = await sys.operatorRequest('PUT', '/v1/controls/limits', {
      limits: [{ currency: 'KWD', max_amount: 100 }],
    });
    expect(limits.status).toBe(422);
    expect(limits.body.error.issues).toEqual([{ path: 'limits.0.currency', message: why }]);
    const controls = (await sys.operatorRequest('GET', '/v1/controls')).body;
    expect(controls.approval_rules).toEqual([]);
    expect(controls.limits).toEqual([]);
  });

  test.each(['UGX', 'XOF', 'CLF'])('%s is refused too', async (currency) => {
    const res = await sys.request('POST', '/v1/payouts', cardPayout({ currency }));
    expect(res.status).toBe(422);
    expect(res.body.error.issues).toEqual([
      { path: 'currency', message: DEFAULT_CURRENCIES.unitRefusal(currency) },
    ]);
  });

  test('JPY, on the gateway’s whole-unit list, is accepted and reaches the gateway as sent', async () => {
    const body = cardPayout({ currency: 'JPY', amount: 1100 });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(body.external_id)?.order).toMatchObject({ amount: 1100, currency: 'JPY' });
    const out: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };
    expect(await status(sys.config, [body.external_id], io)).toBe(0);
    expect(out.join('\n')).toContain('amount 1,100 JPY (1100)');
  });

  test('every transition of a payout is logged with its amount in major units beside the integer', async () => {
    const body = cardPayout({ currency: 'EUR', amount: 1008 });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const transitions = sys.logs
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.external_id === body.external_id && typeof entry.to === 'string');
    // Which states it passes through depends on whether the callback beats the worker's answer.
    expect(transitions.map((entry) => entry.to)).toEqual(
      expect.arrayContaining(['queued', 'sending', 'succeeded']),
    );
    for (const entry of transitions) expect(entry.amount).toBe('10.08 EUR (1008)');
  });

  test('a contradicting callback is logged with the recorded and the reported amount', async () => {
    const body = cardPayout({ currency: 'EUR', amount: 1008 });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    const params = {
      status: 4,
      type: 2,
      external_id: body.external_id,
      order_id: done.order_id,
      amount: '10080',
      currency: 'EUR',
    };
    const res = await sys.request(
      'POST',
      '/v1/callbacks/gateway',
      withSignature(params, sys.config.gateway.salt),
      {
        authorization: '',
      },
    );
    expect(res.status).toBe(200);
    const contradiction = sys.logs
      .map((line) => JSON.parse(line))
      .find(
        (entry) => entry.external_id === body.external_id && String(entry.msg).startsWith('CONTRADICTION'),
      );
    expect(contradiction).toMatchObject({
      amount: '10.08 EUR (1008)',
      reported_amount: '100.80 EUR (10080)',
    });
  });
});

describe('a deployment whose gateway takes UGX in whole units and pays out in UGX and EUR only', () => {
  const wholeUnit = [...DEFAULT_WHOLE_UNIT_CURRENCIES, 'UGX'];
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem({
      env: { GATEWAY_WHOLE_UNIT_CURRENCIES: wholeUnit.join(','), PAYOUT_CURRENCIES: 'UGX,EUR' },
      sandbox: { currencies: createCurrencies({ wholeUnit }) },
      parts: ['api'],
    });
  });
  afterAll(async () => {
    await sys?.close();
  });

  test('UGX is accepted and reaches the gateway as sent', async () => {
    const worker = startPayoutWorker(sys);
    try {
      const body = cardPayout({ currency: 'UGX', amount: 250000 });
      expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
      await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
      expect(sys.sandbox.received(body.external_id)?.order).toMatchObject({
        amount: 250000,
        currency: 'UGX',
      });
    } finally {
      await worker.close();
    }
  });

  test.each([
    ['USD', 'this deployment pays out only in UGX, EUR (PAYOUT_CURRENCIES)'],
    ['JPY', 'this deployment pays out only in UGX, EUR (PAYOUT_CURRENCIES)'],
    ['KWD', DEFAULT_CURRENCIES.unitRefusal('KWD')],
  ])('%s is refused: %s', async (currency, message) => {
    const res = await sys.request('POST', '/v1/payouts', cardPayout({ currency }));
    expect(res.status).toBe(422);
    expect(res.body.error.issues).toEqual([{ path: 'currency', message }]);
  });

  test('rules and limits take the currencies payouts take here: UGX shown in whole units; USD and KWD refused', async () => {
    const rules = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', {
      rules: [
        { currency: 'UGX', min_amount: 5_000_000, approvals: 1 },
        { currency: 'USD', min_amount: 100, approvals: 1 },
      ],
    });
    expect(rules.status).toBe(422);
    expect(rules.body.error.issues).toEqual([
      {
        path: 'rules.1.currency',
        message:
          'no payout can be made in USD: this deployment pays out only in UGX, EUR (PAYOUT_CURRENCIES)',
      },
    ]);
    const limits = await sys.operatorRequest('PUT', '/v1/controls/limits', {
      limits: [
        { currency: 'KWD', max_amount: 100 },
        { currency: 'UGX', max_amount: 9_000_000 },
      ],
    });
    expect(limits.status).toBe(422);
    expect(limits.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['limits.0.currency']);

    const accepted = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', {
      rules: [{ currency: 'UGX', min_amount: 5_000_000, approvals: 1 }],
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.rules).toEqual([
      { currency: 'UGX', min_amount: 5_000_000, approvals: 1, min_amount_display: '5,000,000 UGX' },
    ]);
    const cleared = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', { rules: [] });
    expect(cleared.status).toBe(200);
  });

  test('a UGX payout accepted here is not sent by a worker for which UGX’s unit is unconfirmed', async () => {
    const body = cardPayout({ currency: 'UGX', amount: 250000 });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const worker = startPayoutWorker(sys, { currencies: DEFAULT_CURRENCIES });
    try {
      const done = await sys.waitFor(body.external_id, (p) => p.status === 'rejected');
      expect(done.history.at(-1)).toMatchObject({ to: 'rejected', reason: 'validation_failed: currency' });
      expect(sys.sandbox.received(body.external_id)).toBeUndefined();
    } finally {
      await worker.close();
    }
  });
});
