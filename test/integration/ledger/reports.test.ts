import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { report } from '../../../src/ledger/commands.js';
import { connectLedger, type LedgerDb } from '../../../src/ledger/db.js';
import { migrateLedger } from '../../../src/ledger/migrations.js';
import { createLedgerWriter } from '../../../src/ledger/writer.js';
import type { GatewayRequest, MethodId } from '../../../src/methods/index.js';
import { createPayoutStore, type PayoutStore } from '../../../src/payout/store.js';
import { ledgerSchema } from '../../helpers/ledger.js';
import { testPayloadKey, testRedis } from '../../helpers/redis.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Finance's report over a generated month: payouts created and finished across November (some finish
 * on the next day), written through the record's scripts, the outbox and the writer; the route's totals
 * must equal a sum the test computes on its own from what it generated.
 */

const DAY = 86_400_000;
const NOV_1 = Date.parse('2026-11-01T00:00:00.000Z');
const redis = testRedis();
let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let sys: TestSystem;
let db: LedgerDb;
let store: PayoutStore;
let clock = NOV_1;

beforeAll(async () => {
  schema = await ledgerSchema();
  sys = await startTestSystem({ env: { LEDGER_DATABASE_URL: schema.url }, parts: ['api'] });
  db = connectLedger(schema.url, sys.system.logger);
  await migrateLedger(db);
  store = createPayoutStore({
    redis,
    queuePrefix: sys.config.queuePrefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger: sys.system.logger,
    ledger: true,
    now: () => clock,
  });
});

afterAll(async () => {
  await db?.destroy();
  await sys?.close();
  await schema?.drop();
  redis.disconnect();
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const CURRENCIES = ['EUR', 'USD', 'JPY'] as const;
const METHODS: MethodId[] = ['bank_card', 'bank_transfer'];
const ENDINGS = [
  { event: 'gateway_success', state: 'succeeded' },
  { event: 'gateway_failure', state: 'failed' },
  { event: 'cancel', state: 'cancelled' },
] as const;

type Key = string;
const keyOf = (day: string, currency: string, method: string, state: string): Key =>
  `${day}|${currency}|${method}|${state}`;

async function generateMonth(n: number) {
  const next = random(42);
  const expected = new Map<Key, { count: number; amount: number }>();
  const add = (key: Key, amount: number) => {
    const e = expected.get(key) ?? { count: 0, amount: 0 };
    e.count += 1;
    e.amount += amount;
    expected.set(key, e);
  };
  for (let i = 0; i < n; i++) {
    const created = NOV_1 + Math.floor(next() * 30 * DAY);
    const currency = CURRENCIES[i % CURRENCIES.length]!;
    const method = METHODS[Math.floor(next() * METHODS.length)]!;
    const amount = 1 + Math.floor(next() * 5_000_000);
    const ending = ENDINGS[Math.floor(next() * ENDINGS.length)]!;
    const request: GatewayRequest = {
      payment_system: 'TEST_PS',
      external_id: `rep-${i}-${Math.floor(next() * 1e9)}`,
      amount,
      currency,
      customer: { customer_id: `cust-${i % 7}`, country: 'LV', first_name: 'A', last_name: 'B' },
    };
    clock = created;
    await store.create({ method, request, masked: {} });
    // Finished up to 20 hours later: some on the next day, which is the day it counts on.
    const finished = created + Math.floor(next() * 20 * 3_600_000);
    clock = finished;
    const moved = await store.transition(request.external_id, ending.event, {
      actor: ending.event === 'cancel' ? 'operator' : 'callback',
      ...(ending.event === 'cancel' ? {} : { gatewayStatus: ending.state === 'succeeded' ? 4 : 5 }),
    });
    expect(moved.ok).toBe(true);
    add(keyOf(new Date(finished).toISOString().slice(0, 10), currency, method, ending.state), amount);
  }
  return expected;
}

describe('reports', () => {
  test('a generated month: the totals per day, currency, method and state equal an independent sum', async () => {
    const expected = await generateMonth(300);
    const writer = createLedgerWriter({
      redis,
      queuePrefix: sys.config.queuePrefix,
      db,
      logger: sys.system.logger,
    });
    while ((await writer.writeOnce()) > 0);

    const res = await sys.operatorRequest('GET', '/v1/reports/payouts?from=2026-11-01&to=2026-11-30');
    expect(res.status).toBe(200);
    const inNovember = [...expected].filter(([key]) => key.startsWith('2026-11-'));
    const got = new Map<Key, { count: number; amount: number }>(
      res.body.rows.map(
        (r: {
          day: string;
          currency: string;
          method: string;
          state: string;
          count: number;
          amount: number;
        }) => [keyOf(r.day, r.currency, r.method, r.state), { count: r.count, amount: r.amount }],
      ),
    );
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(inNovember));
    // Payouts that finished on December 1st count there, not in November.
    expect(expected.size).toBeGreaterThan(inNovember.length);

    // Major units beside the integer, by the currency's exponent.
    const eur = res.body.rows.find((r: { currency: string }) => r.currency === 'EUR');
    expect(eur.amount_major).toBe(
      `${(eur.amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })} EUR`,
    );
    const jpy = res.body.rows.find((r: { currency: string }) => r.currency === 'JPY');
    expect(jpy.amount_major).toBe(`${jpy.amount.toLocaleString('en-US')} JPY`);

    // CSV: the same rows, the amount as a plain decimal that a spreadsheet sums.
    const csv = await sys.operatorRequest(
      'GET',
      '/v1/reports/payouts?from=2026-11-01&to=2026-11-30&format=csv',
    );
    expect(csv.status).toBe(200);
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('day,currency,method,state,count,amount_minor,amount');
    expect(lines).toHaveLength(inNovember.length + 1);
    const eurTotal = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((f) => f[1] === 'EUR')
      .reduce((sum, f) => sum + Math.round(Number(f[6]) * 100), 0);
    const eurExpected = inNovember.filter(([k]) => k.includes('|EUR|')).reduce((s, [, v]) => s + v.amount, 0);
    expect(eurTotal).toBe(eurExpected);

    // `payouts report` reads the same totals.
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(`ERR ${s}`) };
    expect(
      await report(sys.config, ['--from', '2026-11-01', '--to', '2026-11-30', '--format', 'json'], io),
    ).toBe(0);
    expect(JSON.parse(out.join('\n')).rows).toEqual(res.body.rows);
    out.length = 0;
    expect(await report(sys.config, ['--from', '2026-11-01', '--to', '2026-11-30'], io)).toBe(0);
    expect(out.join('\n')).toContain(eur.amount_major);
    out.length = 0;
    expect(await report(sys.config, ['--from', '2026-11-30', '--to', '2026-11-01'], io)).toBe(2);
    expect(out.join('\n')).toContain('--to must not be before from');
  });

  test.each([
    ['to before from', 'from=2026-11-02&to=2026-11-01', 'to'],
    ['a malformed day', 'from=2026-13-01&to=2026-12-01', 'from'],
    ['a range of over 400 days', 'from=2025-01-01&to=2026-11-30', 'to'],
    ['an unknown format', 'from=2026-11-01&to=2026-11-02&format=xml', 'format'],
    ['no range', '', 'from'],
    ['an unknown parameter', 'from=2026-11-01&to=2026-11-02&foo=1', 'foo'],
  ])('%s is refused with 422 naming the field', async (_name, query, field) => {
    const res = await sys.operatorRequest('GET', `/v1/reports/payouts?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
  });

  test.each([
    ['customer_id=a%00b', 'customer_id'],
    ['order_id=1%002', 'order_id'],
    ['foo=1', 'foo'],
  ])('the ledger search refuses %s with 422 naming %s', async (query, field) => {
    const res = await sys.operatorRequest('GET', `/v1/ledger/payouts?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual([field]);
  });

  test('an integration key may not read the reports (403); no credential is 401', async () => {
    expect((await sys.request('GET', '/v1/reports/payouts?from=2026-11-01&to=2026-11-02')).status).toBe(403);
    const bare = await fetch(`${sys.api}/v1/reports/payouts?from=2026-11-01&to=2026-11-02`);
    expect(bare.status).toBe(401);
  });

  test('search by customer_id and by day, newest first', async () => {
    const byCustomer = await sys.operatorRequest('GET', '/v1/ledger/payouts?customer_id=cust-3&limit=500');
    expect(byCustomer.status).toBe(200);
    const payouts = byCustomer.body.payouts as { customer_id: string; created_at: string }[];
    expect(payouts.length).toBeGreaterThan(10);
    expect(payouts.every((p) => p.customer_id === 'cust-3')).toBe(true);
    const times = payouts.map((p) => p.created_at);
    expect(times).toEqual([...times].sort().reverse());
    const oneDay = await sys.operatorRequest(
      'GET',
      '/v1/ledger/payouts?from=2026-11-05&to=2026-11-05&limit=500',
    );
    expect(
      oneDay.body.payouts.every((p: { created_at: string }) => p.created_at.startsWith('2026-11-05')),
    ).toBe(true);
    expect(oneDay.body.payouts.length).toBeGreaterThan(0);
    const bad = await sys.operatorRequest('GET', '/v1/ledger/payouts?limit=0');
    expect(bad.status).toBe(422);
  });
});
