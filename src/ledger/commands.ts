import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { showAmount } from '../currency/index.js';
import { zodIssues } from '../http/parse-body.js';
import { createLogger } from '../logger.js';
import { connectLedger, type LedgerDb } from './db.js';
import { migrateLedger } from './migrations.js';
import { payoutTotals, type ReportRow, reportCsv, reportRange } from './reports.js';
import { archiveQuery, searchPayouts } from './search.js';

/** The ledger's operator commands of the `payouts` CLI. */

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) };

async function withLedger(config: Config, io: Out, fn: (db: LedgerDb) => Promise<number>): Promise<number> {
  if (!config.ledger) {
    io.err('payouts: LEDGER_DATABASE_URL is not set: there is no ledger');
    return 78; // EX_CONFIG
  }
  const db = connectLedger(
    config.ledger.url,
    createLogger({ level: 'warn', destination: process.stderr as never }),
  );
  try {
    return await fn(db);
  } catch (err) {
    io.err(`payouts: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await db.destroy();
  }
}

/** `payouts migrate`: applies the ledger's pending schema migrations. */
export async function migrate(config: Config, _args: string[], io = stdio): Promise<number> {
  return withLedger(config, io, async (db) => {
    const applied = await migrateLedger(db);
    io.out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the ledger schema is up to date');
    return 0;
  });
}

const REPORT_USAGE = 'usage: payouts report --from YYYY-MM-DD --to YYYY-MM-DD [--format table|csv|json]';

/** Aligned columns for a terminal: major units with their currency, the integer beside them. */
function reportTable(rows: ReportRow[]): string {
  const head = ['day', 'currency', 'method', 'state', 'count', 'amount', 'minor units'];
  const body = rows.map((r) => [
    r.day,
    r.currency,
    r.method,
    r.state,
    String(r.count),
    r.amount_major,
    String(r.amount),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** `payouts report --from --to [--format csv]`: the ledger's totals per day, currency, method and state. */
export async function report(config: Config, args: string[], io = stdio): Promise<number> {
  let values: { from?: string | undefined; to?: string | undefined; format?: string | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'table' },
      },
    }));
  } catch (err) {
    io.err(`payouts: ${(err as Error).message}\n${REPORT_USAGE}`);
    return 2;
  }
  const range = reportRange.safeParse({ from: values.from, to: values.to });
  const format = values.format ?? 'table';
  if (!range.success || !['table', 'csv', 'json'].includes(format)) {
    const issues = range.success ? [] : zodIssues(range.error);
    if (!['table', 'csv', 'json'].includes(format))
      issues.push({ path: 'format', message: 'must be table, csv or json' });
    io.err(`${issues.map((i) => `payouts: --${i.path} ${i.message}`).join('\n')}\n${REPORT_USAGE}`);
    return 2;
  }
  return withLedger(config, io, async (db) => {
    const rows = await payoutTotals(db, range.data, config.currencies);
    if (format === 'csv') process.stdout.write(reportCsv(rows, config.currencies));
    else if (format === 'json') io.out(JSON.stringify({ ...range.data, rows }, null, 2));
    else io.out(rows.length > 0 ? reportTable(rows) : 'no payouts in that range');
    return 0;
  });
}

const SEARCH_USAGE =
  'usage: payouts search [--external-id ID] [--customer-id ID] [--order-id ID] [--from DAY] [--to DAY] [--limit N] [--json]';

/** `payouts search`: payouts in the ledger (archived ones too), newest first. */
export async function search(config: Config, args: string[], io = stdio): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'external-id': { type: 'string' },
        'customer-id': { type: 'string' },
        'order-id': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
    }));
  } catch (err) {
    io.err(`payouts: ${(err as Error).message}\n${SEARCH_USAGE}`);
    return 2;
  }
  const query = archiveQuery.safeParse(
    Object.fromEntries(
      Object.entries({
        external_id: values['external-id'],
        customer_id: values['customer-id'],
        order_id: values['order-id'],
        from: values.from,
        to: values.to,
        limit: values.limit,
      }).filter(([, v]) => v !== undefined),
    ),
  );
  if (!query.success) {
    io.err(
      `${zodIssues(query.error)
        .map((i) => `payouts: --${i.path.replaceAll('_', '-')} ${i.message}`)
        .join('\n')}\n${SEARCH_USAGE}`,
    );
    return 2;
  }
  return withLedger(config, io, async (db) => {
    const payouts = await searchPayouts(db, query.data);
    if (values.json) io.out(JSON.stringify(payouts, null, 2));
    else
      for (const p of payouts)
        io.out(
          `${p.created_at}  ${p.external_id}  ${p.status}  ${showAmount(p.amount, p.currency, config.currencies)}  ${p.method}  customer ${p.customer_id}  order ${p.order_id ?? '-'}`,
        );
    if (!values.json && payouts.length === 0) io.out('no payouts found');
    return 0;
  });
}
