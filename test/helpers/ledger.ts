import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared test PostgreSQL; each test works in a schema of its own (ledgerSchema). */
export const LEDGER_TEST_URL =
  process.env.LEDGER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A URL whose connections see only `schema` (libpq's `options`), on `port` when given (a proxy). */
export function ledgerUrl(schema: string, port?: number): string {
  const url = new URL(LEDGER_TEST_URL);
  if (port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A fresh schema for one test, and its removal. */
export async function ledgerSchema(): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `test_ledger_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: LEDGER_TEST_URL });
  await admin.connect();
  await admin.query(`create schema ${admin.escapeIdentifier(schema)}`);
  await admin.end();
  return {
    schema,
    url: ledgerUrl(schema),
    async drop() {
      const c = new pg.Client({ connectionString: LEDGER_TEST_URL });
      await c.connect();
      await c.query(`drop schema if exists ${c.escapeIdentifier(schema)} cascade`);
      await c.end();
    },
  };
}

/** Every text value of a schema's tables, for a scan for secrets. */
export async function dumpSchema(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const out: string[] = [];
  for (const table of ['payouts', 'payout_transitions', 'deposit_transitions', 'audit_events']) {
    const res = await c.query(`select * from ${table}`);
    out.push(JSON.stringify(res.rows));
  }
  await c.end();
  return out.join('\n');
}
