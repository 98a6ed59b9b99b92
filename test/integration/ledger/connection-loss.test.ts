import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectLedger } from '../../../src/ledger/db.js';
import { captureLogger } from '../../helpers/capture-log.js';
import { LEDGER_TEST_URL, ledgerSchema, ledgerUrl } from '../../helpers/ledger.js';
import { startTcpProxy } from '../../helpers/tcp-proxy.js';

/**
 * PostgreSQL going away while the ledger holds a connection between two statements (inside a
 * transaction, as the writer and the archiver do) is an error of that work, never an uncaught one:
 * pg reports such a loss as an 'error' event of the checked-out client, which the pool does not
 * listen to while the client is lent, and an event nobody listens to ends the process.
 */

let schema: Awaited<ReturnType<typeof ledgerSchema>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  schema = await ledgerSchema();
  const target = new URL(LEDGER_TEST_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});

afterAll(async () => {
  await proxy?.close();
  await schema?.drop();
});

test('a connection lost between two statements of a transaction fails that transaction, and the next one works', async () => {
  const log = captureLogger();
  const db = connectLedger(ledgerUrl(schema.schema, proxy.port), log.logger);
  try {
    const lost = db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      proxy.cut();
      // Between statements: no query is running when the connection drops.
      await new Promise((r) => setTimeout(r, 300));
      await sql`select 1`.execute(trx);
    });
    await expect(lost).rejects.toThrow();
    proxy.restore();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
    expect(rows).toEqual([{ one: 1 }]);
    expect(log.text()).toContain('ledger connection lost');
  } finally {
    proxy.restore();
    await db.destroy();
  }
});
