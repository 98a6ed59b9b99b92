import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { migrate } from '../../../src/ledger/commands.js';
import { connectLedger } from '../../../src/ledger/db.js';
import { migrateLedger } from '../../../src/ledger/migrations.js';
import { createLogger } from '../../../src/logger.js';
import { ledgerSchema } from '../../helpers/ledger.js';

/** The ledger's migrations: applied once per schema, wherever another ledger lives in the same database. */

const schemas: Awaited<ReturnType<typeof ledgerSchema>>[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

const tablesOf = async (url: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const res = await c.query(
    'select table_name from information_schema.tables where table_schema = current_schema() order by 1',
  );
  await c.end();
  return res.rows.map((r) => r.table_name as string);
};

describe('ledger migrations', () => {
  test('a second ledger in another schema of the same database gets its own tables; running again applies nothing', async () => {
    const a = await ledgerSchema();
    const b = await ledgerSchema();
    schemas.push(a, b);
    const logger = createLogger({ level: 'silent' });
    const dbA = connectLedger(a.url, logger);
    const dbB = connectLedger(b.url, logger);
    try {
      expect(await migrateLedger(dbA)).toEqual([
        '0001-payout-ledger',
        '0002-audit-events',
        '0003-archived-list',
      ]);
      expect(await migrateLedger(dbB)).toEqual([
        '0001-payout-ledger',
        '0002-audit-events',
        '0003-archived-list',
      ]);
      expect(await migrateLedger(dbB)).toEqual([]);
    } finally {
      await dbA.destroy();
      await dbB.destroy();
    }
    for (const url of [a.url, b.url]) {
      expect(await tablesOf(url)).toEqual(
        expect.arrayContaining([
          'audit_events',
          'deposit_transitions',
          'kysely_migration',
          'payout_transitions',
          'payouts',
        ]),
      );
    }
  });

  test('payouts migrate applies them, says when there is nothing to do, and needs LEDGER_DATABASE_URL', async () => {
    const c = await ledgerSchema();
    schemas.push(c);
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(`ERR ${s}`) };
    const config = loadConfig({ LEDGER_DATABASE_URL: c.url });
    expect(await migrate(config, [], io)).toBe(0);
    expect(await migrate(config, [], io)).toBe(0);
    expect(out).toEqual([
      'applied: 0001-payout-ledger, 0002-audit-events, 0003-archived-list',
      'the ledger schema is up to date',
    ]);
    out.length = 0;
    expect(await migrate(loadConfig({}), [], io)).toBe(78);
    expect(out[0]).toMatch(/LEDGER_DATABASE_URL is not set/);
  });
});
