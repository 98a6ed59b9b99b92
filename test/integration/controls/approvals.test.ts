import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startSystem } from '../../../src/system.js';
import { login, notificationReceiver, operatorsSetting } from '../../helpers/operators.js';
import { cardPayout } from '../../helpers/requests.js';
import { basicAuth, startTestSystem, type TestSystem } from '../../helpers/system.js';
import { requestFor } from '../../unit/methods/fixtures.js';

/**
 * Approval before sending, through the HTTP API against the sandbox: rules hold payouts at their
 * thresholds, approvers release or decline them, and nothing held is ever sent.
 */

const admin = login('ada');
const abel = login('abel');
const bea = login('bea');
const olga = login('olga');

let sys: TestSystem;
let receiver: Awaited<ReturnType<typeof notificationReceiver>>;

beforeAll(async () => {
  receiver = await notificationReceiver();
  const OPERATORS = await operatorsSetting([
    [admin, 'admin'],
    [abel, 'approver'],
    [bea, 'approver'],
    [olga, 'operator'],
  ]);
  sys = await startTestSystem({
    env: {
      OPERATORS,
      NOTIFY_URL: receiver.url,
      NOTIFY_SECRET: 'test-notify-secret',
      APPROVAL_TIMEOUT_MS: '2000',
    },
  });
  const rules = await sys.operatorRequest(
    'PUT',
    '/v1/controls/approval-rules',
    {
      rules: [
        { currency: 'EUR', min_amount: 100_000, approvals: 1 },
        { currency: 'EUR', min_amount: 1_000_000, approvals: 2 },
        { currency: 'USD', method: 'bank_card', min_amount: 50_000, approvals: 1 },
      ],
      note: 'weekly review',
    },
    admin,
  );
  expect(rules.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await sys?.close();
  await receiver?.close();
});

const create = async (amount: number, currency = 'EUR', extra: Record<string, unknown> = {}) => {
  const body = cardPayout({ amount, currency, ...extra });
  const res = await sys.request('POST', '/v1/payouts', body);
  expect(res.status).toBe(202);
  return res.body;
};

describe('rules decide what waits', () => {
  test.each([
    ['just under the threshold', 99_999, 'EUR', 'queued'],
    ['at the threshold', 100_000, 'EUR', 'awaiting_approval'],
    ['under the four-eyes threshold', 999_999, 'EUR', 'awaiting_approval'],
    ['at the four-eyes threshold', 1_000_000, 'EUR', 'awaiting_approval'],
    ['another currency', 5_000_000, 'GBP', 'queued'],
    ['a rule for one method: that method at its threshold', 50_000, 'USD', 'awaiting_approval'],
  ])('%s (%d %s): %s', async (_name, amount, currency, status) => {
    const p = await create(amount, currency);
    expect(p.status).toBe(status);
    if (status === 'awaiting_approval') {
      expect(p.reason).toMatch(/^approval_rule: /);
      // Never sent while it waits.
      await new Promise((r) => setTimeout(r, 300));
      expect(sys.sandbox.received(p.external_id)).toBeUndefined();
      expect((await sys.request('GET', `/v1/payouts/${p.external_id}`)).body.status).toBe(
        'awaiting_approval',
      );
    }
  });

  test('a method rule does not hold another method', async () => {
    const body = requestFor('p2p_card', 'payout', {}, { amount: 60_000, currency: 'USD' });
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
  });

  test('GET /v1/controls shows the rules with amounts in major units', async () => {
    const res = await sys.operatorRequest('GET', '/v1/controls', undefined, olga);
    expect(res.body.approval_rules[1]).toEqual({
      currency: 'EUR',
      min_amount: 1_000_000,
      approvals: 2,
      min_amount_display: '10,000.00 EUR',
    });
  });
});

describe('approve and decline', () => {
  test('one approval queues it, it is sent once, and the approval is in the history, the audit and the notifications', async () => {
    const p = await create(150_000);
    const res = await sys.operatorRequest(
      'POST',
      `/v1/payouts/${p.external_id}/approve`,
      { note: 'KYC ok' },
      abel,
    );
    expect(res.status).toBe(200);
    expect(res.body.approvals).toEqual({ needed: 1, given: [abel.name] });
    // The worker may have taken it already: the approval is the entry that left awaiting_approval.
    expect(res.body.history.find((h: { from?: string }) => h.from === 'awaiting_approval')).toMatchObject({
      from: 'awaiting_approval',
      to: 'queued',
      event: 'approve',
      who: abel.name,
      note: 'KYC ok',
    });
    await sys.waitFor(p.external_id, (x) => x.status === 'succeeded');
    expect(sys.sandbox.received(p.external_id)?.requests).toBe(1);
    const audit = await sys.operatorRequest('GET', '/v1/audit?limit=50', undefined, admin);
    expect(audit.body.entries.find((e: { target: string }) => e.target === p.external_id)).toMatchObject({
      who: abel.name,
      action: 'payout.approve',
      before: { status: 'awaiting_approval' },
      after: { status: 'queued' },
    });
    const events = receiver.events.filter((e) => e.payout.external_id === p.external_id).map((e) => e.event);
    await expect
      .poll(() => receiver.events.filter((e) => e.payout.external_id === p.external_id).length)
      .toBeGreaterThanOrEqual(3);
    expect(events[0]).toBe('payout.awaiting_approval');
  });

  test('four eyes: two different approvers; the same approver twice is refused; nothing sent before the second', async () => {
    const p = await create(1_000_000);
    const first = await sys.operatorRequest(
      'POST',
      `/v1/payouts/${p.external_id}/approve`,
      { note: 'source of funds checked' },
      abel,
    );
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('awaiting_approval');
    expect(first.body.approvals).toEqual({ needed: 2, given: [abel.name] });
    // The first of two approvals is in the history with its approver and its note.
    expect(first.body.history.at(-1)).toMatchObject({
      from: 'awaiting_approval',
      to: 'awaiting_approval',
      event: 'approve',
      who: abel.name,
      note: 'source of funds checked',
    });
    const again = await sys.operatorRequest('POST', `/v1/payouts/${p.external_id}/approve`, {}, abel);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('another approver');
    await new Promise((r) => setTimeout(r, 300));
    expect(sys.sandbox.received(p.external_id)).toBeUndefined();
    const second = await sys.operatorRequest('POST', `/v1/payouts/${p.external_id}/approve`, {}, bea);
    expect(second.status).toBe(200);
    expect(second.body.approvals).toEqual({ needed: 2, given: [abel.name, bea.name] });
    const audit = await sys.operatorRequest('GET', '/v1/audit?limit=500', undefined, admin);
    const approvals = audit.body.entries.filter((e: { target: string }) => e.target === p.external_id);
    // Newest first: the second approval, then the first with its note.
    expect(approvals.map((e: { who: string }) => e.who)).toEqual([bea.name, abel.name]);
    expect(approvals[1]).toMatchObject({
      action: 'payout.approve',
      note: 'source of funds checked',
      after: { status: 'awaiting_approval', approvals: { needed: 2, given: [abel.name] } },
    });
    await sys.waitFor(p.external_id, (x) => x.status === 'succeeded');
    expect(sys.sandbox.received(p.external_id)?.requests).toBe(1);
  });

  test.each([
    ['the integration key', 'key', 403],
    ['an operator (below approver)', 'olga', 403],
    ['no credential', 'none', 401],
  ])('approve by %s (%s) is refused with %d and the payout still waits', async (_name, who, status) => {
    const p = await create(200_000);
    const none: Record<string, string> = { authorization: '' };
    const headers = who === 'key' ? {} : who === 'none' ? none : undefined;
    const res = headers
      ? await sys.request('POST', `/v1/payouts/${p.external_id}/approve`, {}, headers)
      : await sys.operatorRequest('POST', `/v1/payouts/${p.external_id}/approve`, {}, olga);
    expect(res.status).toBe(status);
    expect((await sys.request('GET', `/v1/payouts/${p.external_id}`)).body.status).toBe('awaiting_approval');
  });

  test('decline: rejected, declined_by_operator, with the note; never sent; approve afterwards refused', async () => {
    const p = await create(300_000);
    const res = await sys.operatorRequest(
      'POST',
      `/v1/payouts/${p.external_id}/decline`,
      { note: 'bonus abuse' },
      bea,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'rejected', reason: 'declined_by_operator' });
    expect(res.body.history.at(-1)).toMatchObject({ event: 'decline', who: bea.name, note: 'bonus abuse' });
    const late = await sys.operatorRequest('POST', `/v1/payouts/${p.external_id}/approve`, {}, abel);
    expect(late.status).toBe(409);
    expect(sys.sandbox.received(p.external_id)).toBeUndefined();
    await expect
      .poll(() =>
        receiver.events.some((e) => e.payout.external_id === p.external_id && e.event === 'payout.rejected'),
      )
      .toBe(true);
  });

  test('approve or decline a payout that is not awaiting approval: 409; unknown: 404', async () => {
    const p = await create(500);
    await sys.waitFor(p.external_id, (x) => x.status === 'succeeded');
    for (const action of ['approve', 'decline']) {
      const res = await sys.operatorRequest('POST', `/v1/payouts/${p.external_id}/${action}`, {}, abel);
      expect(res.status).toBe(409);
      expect((await sys.operatorRequest('POST', `/v1/payouts/po-none/${action}`, {}, abel)).status).toBe(404);
    }
  });

  test('an operator may cancel a payout awaiting approval', async () => {
    const p = await create(400_000);
    const res = await sys.operatorRequest(
      'POST',
      `/v1/payouts/${p.external_id}/cancel`,
      { note: 'player asked' },
      olga,
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });

  test('an approval not given in time ends the payout cancelled (approval_expired), never sent', async () => {
    const p = await create(250_000);
    const done = await sys.waitFor(p.external_id, (x) => x.status === 'cancelled', 20_000);
    expect(done.reason).toBe('approval_expired');
    expect(sys.sandbox.received(p.external_id)).toBeUndefined();
  });
});

describe('rules are validated, audited and kept', () => {
  test.each([
    ['not a list', { rules: 'x' }, 'rules'],
    ['a bad currency', { rules: [{ currency: 'EURO', min_amount: 1, approvals: 1 }] }, 'rules.0.currency'],
    [
      'a decimal amount',
      { rules: [{ currency: 'EUR', min_amount: 10.5, approvals: 1 }] },
      'rules.0.min_amount',
    ],
    ['three approvals', { rules: [{ currency: 'EUR', min_amount: 1, approvals: 3 }] }, 'rules.0.approvals'],
    [
      'a currency no payout can use',
      { rules: [{ currency: 'KWD', min_amount: 1000, approvals: 1 }] },
      'rules.0.currency',
    ],
    [
      'an unknown method',
      { rules: [{ currency: 'EUR', method: 'cheque', min_amount: 1, approvals: 1 }] },
      'rules.0.method',
    ],
    ['an unknown field', { rules: [{ currency: 'EUR', min_amount: 1, approvals: 1, max: 2 }] }, 'rules.0'],
    [
      'the same rule twice',
      {
        rules: [
          { currency: 'EUR', min_amount: 1, approvals: 1 },
          { currency: 'EUR', min_amount: 1, approvals: 2 },
        ],
      },
      'rules.1',
    ],
  ])('%s: 422 naming %s, and the rules unchanged', async (_name, body, path) => {
    const before = (await sys.operatorRequest('GET', '/v1/controls', undefined, admin)).body.approval_rules;
    const res = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', body, admin);
    expect(res.status).toBe(422);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect((await sys.operatorRequest('GET', '/v1/controls', undefined, admin)).body.approval_rules).toEqual(
      before,
    );
  });

  test('a change is audited with the rules before and after', async () => {
    const audit = await sys.operatorRequest('GET', '/v1/audit?limit=500', undefined, admin);
    const change = audit.body.entries.find((e: { action: string }) => e.action === 'controls.approval_rules');
    expect(change).toMatchObject({ who: admin.name, via: 'api', note: 'weekly review', before: [] });
    expect(change.after).toHaveLength(3);
  });

  test('rules survive a restart: a freshly started API on the same Redis has them', async () => {
    const again = await startSystem(loadConfig({ ...sys.env, PORT: '0' }), ['api'], sys.system.logger);
    try {
      const res = await fetch(`${again.urls.api}/v1/controls`, {
        headers: { authorization: basicAuth(admin) },
      });
      expect(((await res.json()) as { approval_rules: unknown[] }).approval_rules).toHaveLength(3);
    } finally {
      await again.close();
    }
  });
});
