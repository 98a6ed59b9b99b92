import { sql } from 'kysely';
import { z } from 'zod';
import { type Currencies, formatAmount, formatMinorUnits } from '../currency/index.js';
import type { LedgerDb } from './db.js';

/**
 * Finance's reports from the ledger: payout totals per day, currency, method and state. A payout
 * counts on the day (UTC) it reached its current state, so a payout paid on the 1st counts on the
 * 1st whatever day it was requested; amounts are summed as integers in PostgreSQL (bigint) and shown
 * in major units beside them.
 */

/** The longest range one report covers: a year and a bit, so one request cannot scan the whole ledger. */
export const MAX_REPORT_DAYS = 400;
const DAY_MS = 86_400_000;

const day = z.iso.date({ error: 'must be a day, YYYY-MM-DD' });
const rangeFields = { from: day, to: day };
const checkRange = (r: { from: string; to: string }, ctx: z.RefinementCtx) => {
  const days = (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS;
  if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  else if (days >= MAX_REPORT_DAYS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range may cover at most ${MAX_REPORT_DAYS} days`,
    });
};

/** `from` and `to` are days (YYYY-MM-DD, UTC), both included. */
export const reportRange = z.strictObject(rangeFields).superRefine(checkRange);
/** The report route's query: the range, and JSON (the default) or CSV. */
export const reportQuery = z
  .strictObject({
    ...rangeFields,
    format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
  })
  .superRefine(checkRange);
export type ReportRange = z.infer<typeof reportRange>;

export interface ReportRow {
  day: string;
  currency: string;
  method: string;
  state: string;
  count: number;
  /** The sum in minor units, as every amount in the API. */
  amount: number;
  /** The sum in major units with its currency (`10.08 EUR`). */
  amount_major: string;
}

export async function payoutTotals(
  db: LedgerDb,
  range: ReportRange,
  currencies: Currencies,
): Promise<ReportRow[]> {
  const start = new Date(`${range.from}T00:00:00.000Z`);
  const end = new Date(Date.parse(`${range.to}T00:00:00.000Z`) + DAY_MS);
  const day = sql<string>`to_char(state_at at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .selectFrom('payouts')
    .select([
      day.as('day'),
      'currency',
      'method',
      'status',
      (eb) => eb.fn.countAll<string>().as('count'),
      (eb) => eb.fn.sum<string>('amount').as('amount'),
    ])
    .where('state_at', '>=', start)
    .where('state_at', '<', end)
    .groupBy([day, 'currency', 'method', 'status'])
    .orderBy(day)
    .orderBy('currency')
    .orderBy('method')
    .orderBy('status')
    .execute();
  return rows.map((r) => {
    const amount = Number(r.amount);
    return {
      day: r.day,
      currency: r.currency,
      method: r.method,
      state: r.status,
      count: Number(r.count),
      amount,
      amount_major: formatAmount(amount, r.currency, currencies),
    };
  });
}

const CSV_COLUMNS = ['day', 'currency', 'method', 'state', 'count', 'amount_minor', 'amount'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/**
 * The report as CSV for a spreadsheet: `amount` is the plain decimal in major units (no separators,
 * no currency) so that it sums; a currency whose unit is not confirmed shows its minor units there.
 */
export function reportCsv(rows: ReportRow[], currencies: Currencies): string {
  const lines = rows.map((r) => {
    const exponent = currencies.exponent(r.currency);
    const major =
      exponent === undefined ? String(r.amount) : formatMinorUnits(r.amount, exponent).replaceAll(',', '');
    return [r.day, r.currency, r.method, r.state, String(r.count), String(r.amount), major]
      .map(csvField)
      .join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}
