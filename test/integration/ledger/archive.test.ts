import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLedgerArchiver } from '../../../src/ledger/archiver.js';
import { connectLedger, type LedgerDb } from '../../../src/ledger/db.js';
import { createLedgerReader } from '../../../src/ledger/reader.js';
import { ledgerSchema } from '../../helpers/ledger.js';
import { testRedis } from '../../helpers/redis.js';
import { cardPayout } from '../../helpers/requests.js';
import { startTestSystem, type TestSystem } from '../../helpers/system.js';

/**
 * Archival: past the retention a finished payout leaves Redis, only once the ledger holds every change
 * of it, leaving a small tombstone; the API answers it from the ledger, a replay is 200 and another
 * body 409, and it is never sent again.
 */

const DAY = 86_400_000;
let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let sys: TestSystem;
let db: LedgerDb;
const redis = testRedis();

beforeAll(async () => {
  schema = await ledgerSchema();
  sys = await startTestSystem({ env: { LEDGER_DATABASE_URL: schema.url, PAYOUT_RETENTION_DAYS: '1' } });
  db = connectLedger(schema.url, sys.system.logger);
});

afterAll(async () => {
  await db?.destroy();
  await sys?.close();
  await schema?.drop();
  redis.disconnect();
});

const archiver = (now: number) =>
  createLedgerArchiver({
    redis,
    queuePrefix: sys.config.queuePrefix,
    db,
    logger: sys.system.logger,
    retentionMs: DAY,
    now: () => now,
  });

async function drained() {
  const deadline = Date.now() + 20_000;
  while ((await redis.llen(sys.system.store.keys.ledgerOutbox)) > 0) {
    if (Date.now() > deadline) throw new Error('the ledger outbox did not drain');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The payout record's keys of `ids` that exist (BullMQ's finished jobs are bounded apart: queues.ts). */
async function recordKeys(ids: string[]): Promise<string[]> {
  const k = sys.system.store.keys;
  const all = ids.flatMap((id) => [k.record(id), k.history(id), k.payload(id), k.tombstone(id)]);
  const exists = await Promise.all(all.map((key) => redis.exists(key)));
  return all.filter((_, i) => exists[i] === 1).sort();
}

async function finished(customer: string) {
  const body = cardPayout({
    customer: { customer_id: customer, country: 'LV', first_name: 'A', last_name: 'B' },
  });
  expect((await sys.request('POST', '/v1/payouts', body)).status).toBe(202);
  const view = await sys.waitFor(body.external_id, (p) => ['succeeded', 'failed'].includes(p.status));
  return { body, view };
}

describe('archival', () => {
  test('past the retention, a payout the ledger holds whole leaves only its tombstone; read, replayed and refused from the ledger', async () => {
    const paid = await finished('c1');
    const declined = await finished('c2+decline+instant');
    const ids = [paid.body.external_id, declined.body.external_id];
    await drained();
    const keysBefore = await recordKeys(ids);
    const bytesBefore = await Promise.all(keysBefore.map((k) => redis.memory('USAGE', k)));

    // Within the retention nothing leaves.
    expect((await archiver(Date.now()).archiveOnce()).archived).toBe(0);
    expect(await archiver(Date.now() + 2 * DAY).archiveOnce()).toEqual({ archived: 2, waiting: 0 });

    const keysAfter = await recordKeys(ids);
    expect(keysAfter.sort()).toEqual(ids.map((id) => sys.system.store.keys.tombstone(id)).sort());
    const bytesAfter = await Promise.all(keysAfter.map((k) => redis.memory('USAGE', k)));
    const per = (bytes: (number | null)[]) => bytes.reduce<number>((a, b) => a + (b ?? 0), 0) / ids.length;
    console.log(
      `Redis bytes per payout: ${per(bytesBefore)} before archival, ${per(bytesAfter)} after (tombstone)`,
    );
    expect(per(bytesAfter)).toBeLessThan(256);
    expect(per(bytesAfter)).toBeLessThan(per(bytesBefore) / 5);

    for (const { body, view } of [paid, declined]) {
      const id = body.external_id;
      // Read from the ledger: the same payout, history and all.
      const read = await sys.request('GET', `/v1/payouts/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ ...view, next_attempt_at: null });
      // The same request again: 200 with the payout; another body: 409; neither creates anything.
      const replay = await sys.request('POST', '/v1/payouts', body);
      expect(replay).toEqual({ status: 200, body: read.body });
      const other = await sys.request('POST', '/v1/payouts', { ...body, amount: body.amount + 1 });
      expect(other.status).toBe(409);
      // An operator action finds it finished, not missing.
      expect((await sys.operatorRequest('POST', `/v1/payouts/${id}/cancel`, { note: 'late' })).status).toBe(
        409,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    // Never sent again: the gateway saw one request each, and Redis holds no record of them again.
    for (const id of ids) expect(sys.sandbox.received(id)?.requests).toBe(1);
    const keysAtEnd = await recordKeys(ids);
    expect(keysAtEnd.sort()).toEqual(keysAfter.sort());
  });

  test('an id no payout can have (typed in the console, a NUL in it) is found in no archive, not a 503', async () => {
    const reader = createLedgerReader(db);
    await expect(reader.payout('po\u00001')).resolves.toBeUndefined();
    await expect(reader.payout('x'.repeat(256))).resolves.toBeUndefined();
  });

  test('a payout the ledger does not hold whole stays in Redis', async () => {
    const { body } = await finished('c3');
    const id = body.external_id;
    await drained();
    // The ledger lost its last change (as if it had never been written): the check before the delete refuses.
    const last = await db
      .selectFrom('payout_transitions')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('external_id', '=', id)
      .executeTakeFirstOrThrow();
    await db
      .deleteFrom('payout_transitions')
      .where('external_id', '=', id)
      .where('seq', '=', Number(last.seq))
      .execute();
    const run = await archiver(Date.now() + 2 * DAY).archiveOnce();
    expect(run.archived).toBe(0);
    expect(run.waiting).toBeGreaterThanOrEqual(1);
    expect(await sys.system.store.get(id)).toBeDefined();
    expect(await redis.exists(sys.system.store.keys.tombstone(id))).toBe(0);
  });
});
