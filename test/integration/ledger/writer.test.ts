import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { auditKey } from '../../../src/operators/audit.js';
import { dumpSchema, LEDGER_TEST_URL, ledgerSchema, ledgerUrl } from '../../helpers/ledger.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';
import { requestFor } from '../../unit/methods/fixtures.js';

/**
 * The ledger writer over the real system: every change in the payouts' Redis histories is exactly one
 * row in PostgreSQL, none missing, none doubled, although the database goes away mid-run (a TCP proxy
 * the test cuts) while payouts go on; and nothing secret reaches the database.
 */

const FINAL = ['succeeded', 'failed', 'rejected', 'needs_review'];
const MARKERS = [
  '',
  '+decline+instant',
  '+error',
  '+503x1',
  '+unknown+decline',
  '+dup-callback',
  '+stale-callback',
];

let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let sys: TestSystem;
const redis = testRedis();

beforeAll(async () => {
  schema = await ledgerSchema();
  const target = new URL(LEDGER_TEST_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  sys = await startTestSystem({ env: { LEDGER_DATABASE_URL: ledgerUrl(schema.schema, proxy.port) } });
});

afterAll(async () => {
  await sys?.close();
  await proxy?.close();
  await schema?.drop();
  redis.disconnect();
});

const outboxLength = () => redis.llen(sys.system.store.keys.ledgerOutbox);

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function submit(n: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = cardPayout({
      customer: {
        customer_id: `c${i}${MARKERS[i % MARKERS.length]}`,
        country: 'LV',
        first_name: 'A',
        last_name: 'B',
      },
    });
    body.external_id = `${body.external_id}-${tag}`;
    const res = await sys.request('POST', '/v1/payouts', body);
    expect(res.status).toBe(202);
    ids.push(body.external_id);
  }
  return ids;
}

describe('ledger writer', () => {
  test('every change in Redis is one row in the ledger, across a database outage; no secret reaches it', async () => {
    const before = await submit(14, 'a');
    await Promise.all(before.map((id) => sys.waitFor(id, (p) => FINAL.includes(p.status))));
    await until('the outbox to drain', async () => (await outboxLength()) === 0);

    proxy.cut();
    // The database is gone: payouts are still accepted, sent and settled; their changes wait in Redis.
    const during = await submit(14, 'b');
    await Promise.all(during.map((id) => sys.waitFor(id, (p) => FINAL.includes(p.status))));
    expect(await outboxLength()).toBeGreaterThan(0);
    const metrics = await sys.request('GET', '/metrics');
    expect(String(metrics.body)).toMatch(/payouts_ledger_outbox_entries [1-9]/);
    expect(String(metrics.body)).toMatch(/payouts_ledger_lag_seconds (?!0\n)\d/);

    proxy.restore();
    await until('the outbox to drain after the outage', async () => (await outboxLength()) === 0);

    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      for (const id of [...before, ...during]) {
        const history = await sys.system.store.history(id);
        const record = await sys.system.store.get(id);
        const rows = (
          await db.query(
            'select seq, to_state, event, actor from payout_transitions where external_id = $1 order by seq',
            [id],
          )
        ).rows;
        expect(rows, id).toEqual(
          history.map((h) => ({ seq: h.seq, to_state: h.to, event: h.event, actor: h.actor })),
        );
        const current = (
          await db.query('select status, seq, amount, payment_data from payouts where external_id = $1', [id])
        ).rows[0];
        expect(current, id).toEqual({
          status: record?.status,
          seq: record?.seq,
          amount: String(record?.amount),
          payment_data: record?.maskedPaymentData,
        });
      }
      const total = (await db.query('select count(*)::int as n from payout_transitions')).rows[0].n;
      const expected = (
        await Promise.all([...before, ...during].map((id) => sys.system.store.history(id)))
      ).flat().length;
      expect(total).toBe(expected);
    } finally {
      await db.end();
    }

    const dump = await dumpSchema(schema.url);
    const secrets = [
      '4111111111111111',
      sys.apiKey,
      sys.env.MERCHANT_KEY!,
      sys.env.SIGNATURE_SALT!,
      sys.env.PAYLOAD_KEY!,
      sys.env.DASHBOARD_PASSWORD!,
      'cvv',
    ];
    expect(secrets.filter((s) => dump.includes(s))).toEqual([]);
    expect(dump).toContain('411111******1111');
  });

  test('operator actions and control changes reach the ledger, one row per audit entry', async () => {
    for (const body of [
      { limits: [{ currency: 'EUR', max_amount: 5_000_000 }], note: 'cap EUR' },
      { limits: [], note: 'lift the cap' },
    ]) {
      expect((await sys.operatorRequest('PUT', '/v1/controls/limits', body)).status).toBe(200);
    }
    const ids = (await redis.xrange(auditKey(sys.config.queuePrefix), '-', '+')).map(([id]) => id);
    expect(ids).toHaveLength(2);
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const rows = async () =>
        (await db.query('select stream_id, action, note from audit_events order by id_ms, id_seq')).rows;
      await until('the audit entries in the ledger', async () => (await rows()).length === ids.length);
      expect(await rows()).toEqual([
        { stream_id: ids[0], action: 'controls.limits', note: 'cap EUR' },
        { stream_id: ids[1], action: 'controls.limits', note: 'lift the cap' },
      ]);
    } finally {
      await db.end();
    }
  });

  test('every change of a deposit is one row in the ledger; its card number and cvv are not', async () => {
    const externalId = `dep-ledger-${Date.now()}`;
    const body = requestFor(
      'bank_card',
      'deposit',
      { exp_year: '2099' },
      {
        external_id: externalId,
        customer: { customer_id: 'd1', country: 'LV', first_name: 'A', last_name: 'B' },
      },
    );
    expect((await sys.request('POST', '/v1/deposits', body)).status).toBe(201);
    // The sandbox settles it by callback a moment later: compare once the outbox is empty.
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const historyKey = `${sys.config.queuePrefix}:deposit-history:${externalId}`;
      await until('the deposit settled and its changes written', async () => {
        const last = await redis.lindex(historyKey, -1);
        return last !== null && JSON.parse(last).to === 'succeeded' && (await outboxLength()) === 0;
      });
      const history = await redis.lrange(historyKey, 0, -1);
      const rows = (
        await db.query('select seq, to_state from deposit_transitions where external_id = $1 order by seq', [
          externalId,
        ])
      ).rows;
      expect(rows).toEqual(history.map((line, i) => ({ seq: i + 1, to_state: JSON.parse(line).to })));
    } finally {
      await db.end();
    }
    const dump = await dumpSchema(schema.url);
    const card = (body.payment_data as Record<string, string>).card_number!;
    const cvv = (body.payment_data as Record<string, string>).cvv!;
    expect(dump).not.toContain(card);
    expect(dump).not.toMatch(new RegExp(`cvv[^0-9]{0,8}${cvv}`));
  });
});
