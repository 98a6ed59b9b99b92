import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectLedger, type LedgerDb } from '../../../src/ledger/db.js';
import { registerLedgerMetrics } from '../../../src/ledger/metrics.js';
import { migrateLedger } from '../../../src/ledger/migrations.js';
import { refusedKey } from '../../../src/ledger/refused.js';
import { createLedgerWriter } from '../../../src/ledger/writer.js';
import { createPayoutStore, type PayoutStore } from '../../../src/payout/store.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { ledgerSchema, ledgerUrl } from '../../helpers/ledger.js';
import { deletePrefix, testPayloadKey, testRedis, uniquePrefix } from '../../helpers/redis.js';
import { CLOSED_PORT } from '../../helpers/system.js';

/**
 * Rows the database refuses (a constraint here) never hold back the others: the refused payouts'
 * entries are moved aside, named in the log with the database's error, counted in a metric, and tried
 * again until written, whole and once; a database that is away refuses nothing.
 */

const redis = testRedis();
const prefix = uniquePrefix('ledger-refused');
const { logger, lines } = captureLogger();
let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let db: LedgerDb;
let store: PayoutStore;

beforeAll(async () => {
  schema = await ledgerSchema();
  db = connectLedger(schema.url, logger);
  await migrateLedger(db);
  store = createPayoutStore({
    redis,
    queuePrefix: prefix,
    payloadKeys: { current: testPayloadKey(), previous: [] },
    logger,
    ledger: true,
  });
});

afterAll(async () => {
  await db?.destroy();
  await schema?.drop();
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

async function paid(externalId: string): Promise<void> {
  await store.create({
    method: 'bank_transfer',
    request: {
      payment_system: 'TEST_PS',
      external_id: externalId,
      amount: 1008,
      currency: 'EUR',
      customer: { customer_id: 'c1', country: 'LV', first_name: 'A', last_name: 'B' },
    },
    masked: {},
  });
  const moved = await store.transition(externalId, 'gateway_success', {
    actor: 'callback',
    gatewayStatus: 4,
  });
  expect(moved.ok).toBe(true);
}

/** The ledger's rows of a payout, as (seq, to_state). */
const rowsOf = async (id: string) =>
  (
    await db
      .selectFrom('payout_transitions')
      .select(['seq', 'to_state'])
      .where('external_id', '=', id)
      .orderBy('seq')
      .execute()
  ).map((r) => [r.seq, r.to_state]);
const historyOf = async (id: string) => (await store.history(id)).map((h) => [h.seq, h.to]);

describe('refused ledger rows', () => {
  test('a refused payout is moved aside, named and counted, never blocks the others, and is written whole once accepted', async () => {
    // More refused entries than one batch takes, at the outbox's head, and good payouts behind them.
    const bad = Array.from({ length: 110 }, (_, i) => `bad-${i}`);
    const good = Array.from({ length: 20 }, (_, i) => `good-${i}`);
    for (const id of [...bad, ...good]) await paid(id);
    await db.schema
      .alterTable('payout_transitions')
      .addCheckConstraint('no_bad_rows', (await import('kysely')).sql`external_id not like 'bad-%'`)
      .execute();

    const writer = createLedgerWriter({ redis, queuePrefix: prefix, db, logger });
    for (let i = 0; i < 20 && (await writer.writeOnce()) > 0; i++);
    const outbox = store.keys.ledgerOutbox;
    expect(await redis.llen(outbox)).toBe(0);
    for (const id of good) expect(await rowsOf(id), id).toEqual(await historyOf(id));
    for (const id of bad) expect(await rowsOf(id), id).toEqual([]);
    expect(await redis.llen(refusedKey(outbox))).toBe(bad.length * 2);

    // Named in the log with the database's own error, and counted for the alert.
    const line = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.external_id === 'bad-0' && /refused/.test(l.msg));
    expect(line).toMatchObject({
      level: 50,
      seqs: [1, 2],
      err: { code: '23514', message: expect.stringContaining('no_bad_rows') },
      constraint: 'no_bad_rows',
    });
    const registry = new Registry();
    registerLedgerMetrics(registry, redis, prefix);
    expect(await registry.metrics()).toContain(`payouts_ledger_refused_entries ${bad.length * 2}`);

    // A later change of a refused payout goes aside too; nothing of it is written out of order.
    await store.note('bad-0', {
      event: 'gateway_report',
      actor: 'callback',
      gateway_status: 4,
      reason: 'late',
    });
    await writer.writeOnce();
    expect(await rowsOf('bad-0')).toEqual([]);
    expect(await writer.retryRefusedOnce()).toBeGreaterThan(0);

    // Accepted once the constraint is lifted: every change, once, and the list empties.
    await db.schema.alterTable('payout_transitions').dropConstraint('no_bad_rows').execute();
    for (let i = 0; i < 5 && (await redis.llen(refusedKey(outbox))) > 0; i++) await writer.retryRefusedOnce();
    expect(await redis.llen(refusedKey(outbox))).toBe(0);
    for (const id of bad) expect(await rowsOf(id), id).toEqual(await historyOf(id));
    expect(await rowsOf('bad-0')).toHaveLength(3);
    expect(await registry.metrics()).toContain('payouts_ledger_refused_entries 0');
  });

  test('entries still refused are tried again behind the others: a full batch of them never starves the rest', async () => {
    // A payout whose rows were refused once and are now accepted, behind more entries that stay refused
    // (ones that cannot be read) than one pass takes.
    await paid('behind-1');
    const outbox = store.keys.ledgerOutbox;
    const entries = (await redis.lrange(outbox, 0, -1)).filter((raw) => raw.includes('"behind-1"'));
    expect(entries.length).toBe(2);
    for (const raw of entries) await redis.lrem(outbox, 1, raw);
    const stuck = Array.from({ length: 250 }, (_, i) => `not an entry ${i}`);
    await redis.rpush(refusedKey(outbox), ...stuck, ...entries);

    try {
      const writer = createLedgerWriter({ redis, queuePrefix: prefix, db, logger });
      for (let i = 0; i < 3; i++) await writer.retryRefusedOnce();
      expect(await rowsOf('behind-1')).toEqual(await historyOf('behind-1'));
      // The unreadable ones are kept, each once.
      expect((await redis.lrange(refusedKey(outbox), 0, -1)).sort()).toEqual([...stuck].sort());
    } finally {
      await redis.del(refusedKey(outbox));
    }
  });

  test('a database that cannot be reached refuses nothing: the entries wait in the outbox', async () => {
    await paid('away-1');
    const away = connectLedger(ledgerUrl(schema.schema, CLOSED_PORT), logger);
    try {
      const writer = createLedgerWriter({ redis, queuePrefix: prefix, db: away, logger });
      const before = await redis.lrange(store.keys.ledgerOutbox, 0, -1);
      expect(before.length).toBeGreaterThan(0);
      await expect(writer.writeOnce()).rejects.toThrow();
      expect(await redis.lrange(store.keys.ledgerOutbox, 0, -1)).toEqual(before);
      expect(await redis.llen(refusedKey(store.keys.ledgerOutbox))).toBe(0);
    } finally {
      await away.destroy();
    }
  });
});
