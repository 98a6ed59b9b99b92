import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { approve, decline } from '../../../src/ops/approval-commands.js';
import { login, operatorsSetting } from '../../helpers/operators.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * `payouts approve` and `payouts decline` on the real Redis, beside a running system (API, worker,
 * sandbox): the same transition as the HTTP routes, recorded as the operating-system user.
 */

const me = userInfo().username;
const bea = login('bea');
let sys: TestSystem;

beforeAll(async () => {
  sys = await startTestSystem({ env: { OPERATORS: await operatorsSetting([[bea, 'approver']]) } });
  const rules = await sys.operatorRequest('PUT', '/v1/controls/approval-rules', {
    rules: [
      { currency: 'EUR', min_amount: 100_000, approvals: 1 },
      { currency: 'EUR', min_amount: 1_000_000, approvals: 2 },
    ],
  });
  expect(rules.status).toBe(200);
}, 60_000);
afterAll(async () => {
  await sys?.close();
});

/** Runs a command as the CLI would, on the system's Redis and prefix, capturing what it prints. */
async function run(command: typeof approve, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(sys.config, args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const held = async (amount: number) => {
  const res = await sys.request('POST', '/v1/payouts', cardPayout({ amount, currency: 'EUR' }));
  expect(res.status).toBe(202);
  expect(res.body.status).toBe('awaiting_approval');
  return res.body.external_id as string;
};

const payout = async (id: string) => (await sys.request('GET', `/v1/payouts/${id}`)).body;

const auditOf = async (id: string) =>
  (await sys.operatorRequest('GET', '/v1/audit?limit=500')).body.entries.filter(
    (e: { target: string }) => e.target === id,
  );

describe('payouts approve', () => {
  test('one approval needed: queued and sent once; the OS user and the note in the history and the audit', async () => {
    const id = await held(150_000);
    const done = await run(approve, id, '--note', 'KYC ok');
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toBe(`approved ${id} as ${me}: queued, it will be sent`);
    const sent = await sys.waitFor(id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(id)?.requests).toBe(1);
    expect(sent.approvals).toEqual({ needed: 1, given: [me] });
    expect(sent.history.find((h: { event: string }) => h.event === 'approve')).toMatchObject({
      from: 'awaiting_approval',
      to: 'queued',
      actor: 'operator',
      who: me,
      note: 'KYC ok',
    });
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({
        who: me,
        via: 'cli',
        action: 'payout.approve',
        before: { status: 'awaiting_approval' },
        after: expect.objectContaining({ status: 'queued' }),
        note: 'KYC ok',
      }),
    ]);
  });

  test('four eyes: the CLI gives the first, the same OS user again is refused, another approver (API) queues it', async () => {
    const id = await held(1_000_000);
    const first = await run(approve, id, '--note', 'first look: documents match');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`approval 1 of 2 recorded for ${id} as ${me}: it waits for another approver`);
    const waiting = await payout(id);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.history.at(-1)).toMatchObject({
      from: 'awaiting_approval',
      to: 'awaiting_approval',
      event: 'approve',
      who: me,
      note: 'first look: documents match',
    });

    const again = await run(approve, id, '--note', 'me again');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${me} has approved it already: another approver must give the second`);
    expect((await payout(id)).approvals).toEqual({ needed: 2, given: [me] });
    expect(sys.sandbox.received(id)).toBeUndefined();

    const second = await sys.operatorRequest('POST', `/v1/payouts/${id}/approve`, { note: 'ok' }, bea);
    expect(second.status).toBe(200);
    await sys.waitFor(id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(id)?.requests).toBe(1);
    expect((await payout(id)).approvals).toEqual({ needed: 2, given: [me, bea.name] });
  });

  test('four eyes the other way round: an approver through the API first, the CLI second', async () => {
    const id = await held(2_000_000);
    const first = await sys.operatorRequest('POST', `/v1/payouts/${id}/approve`, {}, bea);
    expect(first.body.status).toBe('awaiting_approval');
    const second = await run(approve, id);
    expect(second).toMatchObject({ code: 0, stdout: `approved ${id} as ${me}: queued, it will be sent` });
    await sys.waitFor(id, (p) => p.status === 'succeeded');
    expect(sys.sandbox.received(id)?.requests).toBe(1);
  });
});

describe('payouts decline', () => {
  test('rejected (declined_by_operator) with the note, never sent; approving it afterwards is refused', async () => {
    const id = await held(300_000);
    const done = await run(decline, id, '--note', 'bonus abuse');
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toBe(`declined ${id} as ${me}: rejected (declined_by_operator)`);
    const p = await payout(id);
    expect(p).toMatchObject({ status: 'rejected', reason: 'declined_by_operator' });
    expect(p.history.at(-1)).toMatchObject({ event: 'decline', who: me, note: 'bonus abuse' });
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ who: me, via: 'cli', action: 'payout.decline', note: 'bonus abuse' }),
    ]);
    const late = await run(approve, id);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`cannot approve payout ${id}: it is rejected`);
    await new Promise((r) => setTimeout(r, 200));
    expect(sys.sandbox.received(id)).toBeUndefined();
  });
});

describe('refusals', () => {
  test('a payout not awaiting approval: exit 1, nothing changed; an unknown one: exit 4', async () => {
    const res = await sys.request('POST', '/v1/payouts', cardPayout({ amount: 500, currency: 'EUR' }));
    const id = res.body.external_id as string;
    const done = await sys.waitFor(id, (p) => p.status === 'succeeded');
    for (const command of [approve, decline]) {
      const refused = await run(command, id, '--note', 'x');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^payouts: cannot (approve|decline) payout .*: it is succeeded/);
      expect((await run(command, 'po-nobody-has-this')).code).toBe(4);
    }
    expect((await payout(id)).history).toEqual(done.history);
  });

  test.each([
    ['approve', [], 'missing <external_id>'],
    ['approve', ['po-1', 'po-2'], "unexpected argument 'po-2'"],
    ['decline', ['po-1', '--note'], '--note needs a value'],
    ['approve', ['po-1', '--who', 'someone-else'], 'unknown option --who (this command takes --note)'],
    ['decline', ['po-1', '--note', 'a\u001b[2J'], '--note: must not contain control characters'],
    ['approve', ['po-1', '--note', 'x'.repeat(1001)], '--note: at most 1000 characters'],
  ])('payouts %s %j is refused with exit 2: %s', async (verb, args, message) => {
    const result = await run(verb === 'approve' ? approve : decline, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: payouts');
  });
});
