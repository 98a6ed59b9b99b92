import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { methodIds } from '../../../src/methods/index.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth, CLOSED_PORT, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { requestFor } from '../../unit/methods/fixtures.js';
import { closeCheckingLogs, id } from './lifecycle-fixture.js';

const terminalOrReview = (p: { status: string }) =>
  ['succeeded', 'failed', 'rejected', 'cancelled', 'needs_review'].includes(p.status);

let sys: TestSystem;

/** A payout waiting for its next attempt (the gateway answered 503 with Retry-After: 30). */
async function retryScheduledPayout() {
  const body = cardPayout({
    external_id: id(),
    customer: { customer_id: 'p+503x1+retry-after=30', country: 'LV', first_name: 'A', last_name: 'B' },
  });
  await sys.request('POST', '/v1/payouts', body);
  await sys.waitFor(body.external_id, (p) => p.status === 'retry_scheduled');
  return body;
}

beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => {
  await closeCheckingLogs(sys);
});

describe('every method end to end', () => {
  test.each(methodIds)('%s: POST -> submitted -> succeeded, sent once', async (method) => {
    const externalId = id(method.replaceAll('_', ''));
    const body = requestFor(method, 'payout', method === 'bank_card' ? { exp_year: '2099' } : {}, {
      external_id: externalId,
    });
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ external_id: externalId, method, status: 'queued' });
    const done = await sys.waitFor(externalId, (p) => p.status === 'succeeded');
    expect(done.history.map((h: { to: string }) => h.to)).toEqual([
      'queued',
      'sending',
      'submitted',
      'succeeded',
    ]);
    expect(done.order_id).toMatch(/\d+/);
    expect(done.gateway_status).toBe(4);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
    expect(JSON.stringify(done)).not.toContain('4111111111111111');
    expect(JSON.stringify(done)).not.toContain('jDgBvkukPAPJXiAg');
  });
});

describe('idempotency', () => {
  test('the same request again: 200 with the same payout; another body: 409', async () => {
    const body = cardPayout({ external_id: id() });
    const first = await sys.request('POST', '/v1/payouts', body);
    const again = await sys.request('POST', '/v1/payouts', body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.external_id).toBe(body.external_id);
    expect(again.body.created_at).toBe(first.body.created_at);
    const other = await sys.request('POST', '/v1/payouts', { ...body, amount: body.amount + 1 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('external_id_conflict');
  });

  test('50 concurrent identical POSTs: one record, one job, one gateway request', async () => {
    const body = cardPayout({ external_id: id() });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => sys.request('POST', '/v1/payouts', body)),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(49);
    const done = await sys.waitFor(body.external_id, (p) => p.status === 'succeeded');
    expect(done.history.filter((h: { to: string }) => h.to === 'queued')).toHaveLength(1);
    expect(done.attempts).toBe(1);
    expect(sys.sandbox.received(body.external_id)?.requests).toBe(1);
  });
});

describe('each outcome class', () => {
  const cases: [string, string, (p: any) => boolean, Record<string, unknown>, number][] = [
    ['decline', '+decline=051', (p) => p.status === 'failed', { reason_code: '051', gateway_status: 5 }, 1],
    ['error', '+error', (p) => p.status === 'failed', { gateway_status: 6 }, 1],
    ['instant success', '+instant', (p) => p.status === 'succeeded', { gateway_status: 4 }, 1],
    ['instant decline', '+instant+decline', (p) => p.status === 'failed', { gateway_status: 5 }, 1],
    [
      'unknown (7) then final by callback',
      '+unknown',
      (p) => p.status === 'succeeded',
      { gateway_status: 4 },
      1,
    ],
    [
      '500 after creating: never resent, the callback settles it',
      '+500',
      (p) => p.status === 'succeeded',
      {},
      1,
    ],
    [
      '500 after creating, no callback',
      '+500+no-callback',
      (p) => p.status === 'needs_review',
      { reason: 'outcome_unknown: http_500' },
      1,
    ],
    ['dropped after creating, no callback', '+drop+no-callback', (p) => p.status === 'needs_review', {}, 1],
    [
      'slow answer past the read timeout',
      '+slow=3000+no-callback',
      (p) => p.status === 'needs_review',
      {},
      1,
    ],
    ['503 twice then accepted', '+503x2+retry-after=0', (p) => p.status === 'succeeded', { attempts: 3 }, 3],
    ['429 once then accepted', '+429x1+retry-after=0', (p) => p.status === 'succeeded', { attempts: 2 }, 2],
  ];

  test.each(cases)('%s', async (_name, marker, until, expected, requests) => {
    const externalId = id();
    const body = cardPayout({
      external_id: externalId,
      customer: { customer_id: `player${marker}`, country: 'LV', first_name: 'A', last_name: 'B' },
    });
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    const done = await sys.waitFor(externalId, until);
    expect(done).toMatchObject(expected);
    if (done.status === 'needs_review') expect(done.reason).toBeTruthy();
    // settle: nothing more is sent later
    await new Promise((r) => setTimeout(r, 300));
    expect(sys.sandbox.received(externalId)?.requests).toBe(requests);
    expect(sys.sandbox.received(externalId)?.created).toBe(1);
  });

  test('Retry-After is respected: the gap between attempts is at least what the gateway asked', async () => {
    const externalId = id();
    const body = cardPayout({
      external_id: externalId,
      customer: { customer_id: 'player+503x1+retry-after=1', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    await sys.request('POST', '/v1/payouts', body);
    const done = await sys.waitFor(externalId, (p) => p.status === 'succeeded');
    const sends = done.history
      .filter((h: { to: string }) => h.to === 'sending')
      .map((h: { at: string }) => Date.parse(h.at));
    expect(sends).toHaveLength(2);
    expect(sends[1] - sends[0]).toBeGreaterThanOrEqual(1000);
    const retry = done.history.find((h: { to: string }) => h.to === 'retry_scheduled');
    expect(retry.reason).toBe('gateway_busy: HTTP 503');
  });

  test('a gateway refusal (4xx) is rejected and never retried', async () => {
    const other = await startTestSystem({ sandbox: { merchantKey: 'test-another-merchant-key' } });
    try {
      const body = cardPayout({ external_id: id() });
      await other.request('POST', '/v1/payouts', body);
      const done = await other.waitFor(body.external_id, (p) => p.status === 'rejected');
      expect(done.reason).toMatch(/^gateway_rejected: HTTP 401/);
      expect(other.sandbox.received(body.external_id)?.requests).toBe(1);
    } finally {
      await other.close();
    }
  });

  test('a gateway that cannot be reached: retried with backoff, then failed (not_sent)', async () => {
    const other = await startTestSystem({
      env: { GATEWAY_URL: `http://127.0.0.1:${CLOSED_PORT}`, PAYOUT_MAX_ATTEMPTS: '3' },
    });
    try {
      const body = cardPayout({ external_id: id() });
      await other.request('POST', '/v1/payouts', body);
      const done = await other.waitFor(body.external_id, (p) => p.status === 'failed');
      expect(done).toMatchObject({ reason: 'not_sent', attempts: 3 });
      expect(done.history.map((h: { to: string }) => h.to)).toEqual([
        'queued',
        'sending',
        'retry_scheduled',
        'sending',
        'retry_scheduled',
        'sending',
        'failed',
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('cancel', () => {
  test('only before sending; refused afterwards', async () => {
    const body = await retryScheduledPayout();
    const cancelled = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/cancel`, {
      note: 'player asked',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.history.at(-1)).toMatchObject({
      actor: 'operator',
      note: 'player asked',
      to: 'cancelled',
    });
    const again = await sys.operatorRequest('POST', `/v1/payouts/${body.external_id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('transition_refused');
    expect((await sys.operatorRequest('POST', '/v1/payouts/po-nope/cancel', {})).status).toBe(404);
  });

  test("a note with control characters (a terminal's escape sequences) is a 422 naming it", async () => {
    const body = await retryScheduledPayout();
    const path = `/v1/payouts/${body.external_id}`;
    for (const [route, sent, field] of [
      ['cancel', { note: 'player asked\u001b[2J' }, 'note'],
      ['resolve', { as: 'failed', note: 'checked\u001b]0;pwned\u0007' }, 'note'],
    ] as const) {
      const res = await sys.operatorRequest('POST', `${path}/${route}`, sent);
      expect(res.status, `${route} ${field}`).toBe(422);
      expect(res.body.error.issues).toEqual([
        { path: field, message: 'must not contain control characters' },
      ]);
    }
    expect((await sys.request('GET', path)).body.status).toBe('retry_scheduled');
  });

  test('a cancel with no body, with or without a JSON content type', async () => {
    for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
      const body = await retryScheduledPayout();
      const res = await fetch(`${sys.api}/v1/payouts/${body.external_id}/cancel`, {
        method: 'POST',
        headers: { authorization: basicAuth(sys.admin), ...headers },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('cancelled');
    }
  });
});

test('external ids with colons and all digits work end to end', async () => {
  for (const externalId of ['casino:42:withdrawal', '1234512123124']) {
    const res = await sys.request('POST', '/v1/payouts', cardPayout({ external_id: externalId }));
    expect(res.status).toBe(202);
    await sys.waitFor(externalId, terminalOrReview);
    expect(sys.sandbox.received(externalId)?.requests).toBe(1);
  }
});
