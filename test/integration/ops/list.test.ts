import { afterAll, beforeAll, expect, test } from 'vitest';
import { list } from '../../../src/ops/commands.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

let sys: TestSystem;
const ids: string[] = [];

beforeAll(async () => {
  sys = await startTestSystem();
  // Busy for longer than the test: each waits in retry_scheduled for the gateway's Retry-After (10 min).
  for (const [i, amount] of [1008, 250000, 7].entries()) {
    const body = cardPayout({
      external_id: `po-list-${i}-${'x'.repeat(i * 4)}`,
      amount,
      currency: 'EUR',
      customer: { customer_id: 'c+503x50+retry-after=600', country: 'LV', first_name: 'A', last_name: 'B' },
    });
    ids.push(body.external_id);
    expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
    await sys.waitFor(body.external_id, (p) => p.status === 'retry_scheduled');
  }
});
afterAll(async () => {
  await sys?.close();
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await list(sys.config, args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

test('list shows the total and the page, the next attempt of a retry_scheduled payout, in aligned columns', async () => {
  const { code, out, err } = await run(['--status', 'retry_scheduled', '--limit', '2']);
  expect(err).toEqual([]);
  expect(code).toBe(0);
  expect(out[0]).toBe(
    '3 payout(s) in retry_scheduled, oldest first: 1-2 shown; --offset 2 for the next page',
  );
  const [header, ...rows] = out.slice(1);
  expect(rows).toHaveLength(2);
  expect(header).toMatch(/^\s+EXTERNAL_ID\s+FOR\s+NEXT ATTEMPT\s+AMOUNT\s+METHOD\s+ORDER_ID\s+REASON$/);
  expect(rows[0]).toContain(ids[0]);
  expect(rows[1]).toContain(ids[1]);
  // Left-aligned columns start where their header starts; AMOUNT is right-aligned to its header's end.
  for (const row of rows) {
    for (const column of ['NEXT ATTEMPT', 'METHOD']) {
      const at = header!.indexOf(column);
      expect(row[at - 1]).toBe(' ');
      expect(row[at]).not.toBe(' ');
    }
    const amountEnd = header!.indexOf('AMOUNT') + 'AMOUNT'.length;
    expect(row.slice(0, amountEnd)).toMatch(/\(\d+\)$/);
    expect(row.slice(header!.indexOf('NEXT ATTEMPT'))).toMatch(/^in (9|10)m \(\d\d:\d\d:\d\d UTC\)/);
    expect(row).toContain('gateway_busy');
  }
  expect(rows[0]).toContain('10.08 EUR (1008)');
  expect(rows[1]).toContain('2,500.00 EUR (250000)');
});

test('the next page says where it is and that it is the last', async () => {
  const { out } = await run(['--status', 'retry_scheduled', '--limit', '2', '--offset', '2']);
  expect(out[0]).toBe('3 payout(s) in retry_scheduled, oldest first: 3-3 shown');
  expect(out[2]).toContain(ids[2]);
  expect(out[2]).toContain('0.07 EUR (7)');
});

test('--json carries the total beside the page', async () => {
  const { out } = await run(['--status', 'retry_scheduled', '--json']);
  const page = JSON.parse(out.join('\n'));
  expect(page).toMatchObject({ status: 'retry_scheduled', total: 3, offset: 0 });
  expect(page.payouts.map((p: { external_id: string }) => p.external_id)).toEqual(ids);
  expect(page.payouts[0].next_attempt_at).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('a state with none says so, without a table', async () => {
  const { out } = await run(['--status', 'cancelled']);
  expect(out).toEqual(['0 payout(s) in cancelled, oldest first: none shown']);
});
