import { describe, expect, test } from 'vitest';
import { createSandbox } from '../../../src/sandbox/index.js';
import {
  type ControlsPayout,
  checkControls,
  evaluateControls,
  pauseWindowsFromAudit,
  recordGatewayArrivals,
  type ViewEntry,
} from '../../chaos/controls-accounting.js';

/**
 * The chaos run's checker of "not sent while paused or unapproved": a clean run passes it, and each
 * kind of planted violation is caught.
 */

const T = Date.parse('2026-12-03T10:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();
const entry = (seq: number, ms: number, event: string, to: string, extra: Partial<ViewEntry> = {}) => ({
  seq,
  at: at(ms),
  event,
  to,
  ...extra,
});

/** A payout held for one approval, approved at +100, claimed at +110, succeeded. */
const approved = (overrides: Partial<ControlsPayout> = {}): ControlsPayout => ({
  id: 'po-held',
  paymentSystem: 'TEST_PS',
  approval: { role: 'approve', needed: 1 },
  view: {
    status: 'succeeded',
    reason: null,
    created_at: at(0),
    approvals: { needed: 1, given: ['ana'] },
    history: [
      entry(1, 0, 'created', 'awaiting_approval'),
      entry(2, 100, 'approve', 'queued', { from: 'awaiting_approval', who: 'ana' }),
      entry(3, 110, 'claim', 'sending', { from: 'queued' }),
      entry(4, 130, 'gateway_success', 'succeeded', { from: 'sending' }),
    ],
  },
  ...overrides,
});

/** A payout never held, claimed at `claimMs` (relative to T). */
const plain = (id: string, claimMs: number, createdMs = 0): ControlsPayout => ({
  id,
  paymentSystem: 'TEST_PS',
  view: {
    status: 'succeeded',
    reason: null,
    created_at: at(createdMs),
    history: [
      entry(1, createdMs, 'created', 'queued'),
      entry(2, claimMs, 'claim', 'sending', { from: 'queued' }),
      entry(3, claimMs + 30, 'gateway_success', 'succeeded', { from: 'sending' }),
    ],
  },
});

const check = (
  payouts: ControlsPayout[],
  arrivals: Record<string, number[]>,
  extra: Partial<Parameters<typeof checkControls>[0]> = {},
) =>
  checkControls({
    payouts,
    arrivals: new Map(Object.entries(arrivals).map(([id, ms]) => [id, ms.map((m) => T + m)])),
    windows: [],
    sameApprover: [],
    slackMs: 250,
    ...extra,
  });

describe('not sent while unapproved', () => {
  test('a payout sent after its approval passes, and is counted', () => {
    const r = check([approved()], { 'po-held': [115] });
    expect(r.sentWhileUnapproved).toEqual([]);
    expect(r.approvals).toMatchObject({ held: 1, approved: 1, fourEyes: 0, notAsPlanned: [] });
    expect(r.evidence).toEqual({
      arrivalsRecorded: 1,
      gatewayCounted: 1,
      approvalToGatewayMs: { min: 15, max: 15 },
    });
    expect(evaluateControls(r, 0)).toEqual([]);
  });

  test('a gateway request before the approval is caught', () => {
    const r = check([approved()], { 'po-held': [90, 115] });
    expect(r.sentWhileUnapproved).toHaveLength(1);
    expect(r.sentWhileUnapproved[0]!.why).toContain('before the approval');
    expect(evaluateControls(r, 0)[0]).toContain('1 payout(s) sent while unapproved');
  });

  test('a claim before the approval is caught, even without a gateway request', () => {
    const p = approved();
    p.view!.history = [
      entry(1, 0, 'created', 'awaiting_approval'),
      entry(2, 50, 'claim', 'sending', { from: 'awaiting_approval' }),
      entry(3, 100, 'approve', 'queued', { from: 'sending', who: 'ana' }),
    ];
    expect(check([p], {}).sentWhileUnapproved[0]!.why).toContain('before the approval');
  });

  test.each([
    ['declined', 'decline', 'rejected', 'declined_by_operator'],
    ['expired', 'expire', 'cancelled', 'approval_expired'],
  ] as const)('a %s payout that reached the gateway is caught', (_name, role, status, reason) => {
    const p: ControlsPayout = {
      id: 'po-no',
      paymentSystem: 'TEST_PS',
      approval: { role, needed: 1 },
      view: {
        status,
        reason,
        created_at: at(0),
        history: [entry(1, 0, 'created', 'awaiting_approval'), entry(2, 500, role, status)],
      },
    };
    expect(check([p], {}).sentWhileUnapproved).toEqual([]);
    const r = check([p], { 'po-no': [600] });
    expect(r.sentWhileUnapproved).toEqual([
      { id: 'po-no', why: `1 gateway request(s), never approved (it is ${status})` },
    ]);
  });

  test('four eyes: queued on one approval, or on the same approver twice, is caught', () => {
    const fourEyes = (whos: string[]): ControlsPayout =>
      approved({
        id: 'po-4',
        approval: { role: 'four_eyes', needed: 2 },
        view: {
          status: 'succeeded',
          reason: null,
          created_at: at(0),
          approvals: { needed: 2, given: whos },
          history: [
            entry(1, 0, 'created', 'awaiting_approval'),
            ...whos.map((who, i) =>
              entry(2 + i, 50 + i * 50, 'approve', i === whos.length - 1 ? 'queued' : 'awaiting_approval', {
                from: 'awaiting_approval',
                who,
              }),
            ),
          ],
        },
      });
    expect(check([fourEyes(['ana', 'ben'])], {}).sentWhileUnapproved).toEqual([]);
    expect(check([fourEyes(['ana', 'ben'])], {}).approvals.fourEyes).toBe(1);
    expect(check([fourEyes(['ana'])], {}).sentWhileUnapproved[0]!.why).toBe('queued with 1 of 2 approvals');
    expect(check([fourEyes(['ana', 'ana'])], {}).sentWhileUnapproved[0]!.why).toContain(
      'approved twice by the same approver',
    );
  });

  test('a payout held without a planned role, or planned and not held, is reported and fails the run', () => {
    const r = check(
      [
        { ...approved(), approval: undefined },
        { ...plain('po-p', 10), approval: { role: 'approve', needed: 1 } },
      ],
      {},
    );
    expect(r.approvals.notAsPlanned.map((x) => x.why)).toEqual([
      'held without a planned role',
      'planned but not held',
    ]);
    expect(evaluateControls(r, 0).join('\n')).toContain('not held as the approval rules say');
  });

  test('the same approver accepted twice fails the run; refused is counted', () => {
    const r = check(
      [],
      {},
      {
        sameApprover: [
          { id: 'a', status: 409 },
          { id: 'b', status: 200 },
        ],
      },
    );
    expect(r.approvals.sameApproverTwice).toEqual({ tried: 2, refused: 1, accepted: ['b'] });
    expect(evaluateControls(r, 0)[0]).toContain('the same approver approved twice and was accepted: b');
  });
});

describe('not sent while paused', () => {
  const windows = [{ system: 'TEST_PS', from: T + 1_000, to: T + 2_000 }];

  test('claims before and after the window pass; one in flight when it began is counted, not failed', () => {
    const r = check(
      [plain('a', 900), plain('b', 2_100, 1_200), plain('c', 500)],
      { a: [1_050], b: [2_120], c: [520] },
      { windows },
    );
    expect(r.sentWhilePaused).toEqual([]);
    expect(r.pause.inFlightArrivals).toBe(1);
    // b was created during the window and sent after it: held through it.
    expect(r.pause.heldThrough).toBe(1);
    expect(evaluateControls(r, 1)).toEqual([]);
  });

  test('a claim inside the window is caught', () => {
    const r = check([plain('a', 1_500)], {}, { windows });
    expect(r.sentWhilePaused[0]!.why).toMatch(/^claimed at .* while TEST_PS paused/);
  });

  test('a gateway request inside the window whose attempt was claimed in it, or never, is caught', () => {
    const r = check([plain('a', 1_200), plain('b', 3_000)], { a: [1_300], b: [1_400] }, { windows });
    const why = r.sentWhilePaused.map((v) => `${v.id}: ${v.why}`);
    expect(why).toContainEqual(expect.stringMatching(/^a: gateway request at .* \(claimed at /));
    expect(why).toContainEqual(expect.stringMatching(/^b: gateway request at .* \(no claim before it\)/));
    expect(evaluateControls(r, 1)[0]).toContain('sent while paused');
  });

  test('a pause of * covers every system; another system is not covered by a pause of TEST_PS', () => {
    const other = { ...plain('o', 1_500), paymentSystem: 'OTHER_PS' };
    expect(check([other], {}, { windows }).sentWhilePaused).toEqual([]);
    expect(check([other], {}, { windows: [{ ...windows[0]!, system: '*' }] }).sentWhilePaused).toHaveLength(
      1,
    );
  });

  test('the last moments of a window (the slack) are not held against a claim', () => {
    expect(check([plain('a', 1_900)], {}, { windows }).sentWhilePaused).toEqual([]);
    expect(check([plain('a', 1_700)], {}, { windows }).sentWhilePaused).toHaveLength(1);
  });

  test('fewer windows paused and resumed than planned fails the run', () => {
    const r = check([], {}, { windows: [{ system: 'TEST_PS', from: T, to: Number.POSITIVE_INFINITY }] });
    expect(r.pause.windows).toEqual([{ system: 'TEST_PS', from: at(0), to: null, ms: null }]);
    expect(evaluateControls(r, 1)).toEqual([
      '1 pause window(s) planned, 0 paused and resumed in the audit log',
    ]);
  });
});

test('arrivals recorded short of what the gateway counted fail the run: the evidence would be incomplete', () => {
  const r = check([approved()], { 'po-held': [115] }, { gatewayCounted: 2 });
  expect(evaluateControls(r, 0)).toEqual([
    'the gateway counted 2 payout request(s), 1 arrival(s) recorded: the evidence is incomplete',
  ]);
});

describe('pause windows from the audit log', () => {
  test("Redis's time of each change, newest-first entries read in order; resuming * ends every pause", () => {
    const rows = [
      { id: `${T + 5_000}-0`, action: 'controls.resume', target: '*' },
      { id: `${T + 4_000}-0`, action: 'controls.pause', target: '*' },
      { id: `${T + 3_000}-0`, action: 'controls.pause', target: 'OTHER_PS' },
      { id: `${T + 2_000}-0`, action: 'controls.resume', target: 'TEST_PS' },
      { id: `${T + 1_500}-0`, action: 'controls.pause', target: 'TEST_PS' },
      { id: `${T + 1_000}-0`, action: 'controls.pause', target: 'TEST_PS' },
      { id: `${T + 500}-0`, action: 'controls.approval_rules', target: 'approval_rules' },
    ];
    expect(pauseWindowsFromAudit(rows)).toEqual([
      { system: 'TEST_PS', from: T + 1_000, to: T + 2_000 },
      { system: 'OTHER_PS', from: T + 3_000, to: T + 5_000 },
      { system: '*', from: T + 4_000, to: T + 5_000 },
    ]);
  });
});

test('the arrivals recorder keeps the time of every payout request, by external_id, before the sandbox answers', async () => {
  const sandbox = createSandbox({ merchantKey: 'k', salt: 's', callbackUrl: 'http://127.0.0.1:9/cb' });
  const arrivals = recordGatewayArrivals(sandbox.app);
  const before = Date.now();
  for (const id of ['po-a', 'po-a', 'po-b']) {
    // Refused (no merchant key): it arrived all the same.
    const res = await sandbox.app.inject({
      method: 'POST',
      url: '/v2/payment/payout/',
      payload: { external_id: id },
    });
    expect(res.statusCode).toBe(401);
  }
  await sandbox.app.inject({ method: 'POST', url: '/v2/payment/deposit/', payload: { external_id: 'dep' } });
  await sandbox.close();
  expect([...arrivals.keys()]).toEqual(['po-a', 'po-b']);
  expect(arrivals.get('po-a')).toHaveLength(2);
  expect(arrivals.get('po-a')![0]).toBeGreaterThanOrEqual(before);
});
