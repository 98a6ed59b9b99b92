import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Currencies } from '../currency/index.js';
import { StoreUnavailableError } from '../errors.js';
import { OPERATOR, OPERATOR_ERRORS, ok, responses } from '../http/contract.js';
import { sendError } from '../http/errors.js';
import { parseQuery } from '../http/parse-body.js';
import type { Guards } from '../operators/guard.js';
import type { LedgerDb } from './db.js';
import { payoutTotals, reportCsv, reportQuery } from './reports.js';
import { archiveQuery, searchPayouts } from './search.js';

/**
 * The ledger's operator routes (viewer): finance's totals, and search over every payout the ledger
 * holds, archived or not. Without a ledger (LEDGER_DATABASE_URL unset) they answer 404
 * `ledger_not_configured`, so the reference documents them either way.
 */

const reportRow = z.object({
  day: z.string().describe('YYYY-MM-DD (UTC): the day the payouts reached this state'),
  currency: z.string(),
  method: z.string(),
  state: z.string(),
  count: z.number().int(),
  amount: z.number().int().describe('the sum in minor units'),
  amount_major: z.string().describe('the sum in major units with its currency'),
});
const reportView = z.object({ from: z.string(), to: z.string(), rows: z.array(reportRow) }).meta({
  examples: [
    {
      from: '2026-11-01',
      to: '2026-11-30',
      rows: [
        {
          day: '2026-11-01',
          currency: 'EUR',
          method: 'bank_card',
          state: 'succeeded',
          count: 2,
          amount: 2016,
          amount_major: '20.16 EUR',
        },
      ],
    },
  ],
});
const searchView = z.object({ payouts: z.array(z.looseObject({ external_id: z.string() })) });

const NO_LEDGER = {
  error: {
    code: 'ledger_not_configured',
    message: 'there is no ledger: set LEDGER_DATABASE_URL to keep payouts in PostgreSQL and report on them',
  },
};

/** PostgreSQL that cannot answer is a 503 (try again), never a 500. */
async function fromLedger<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StoreUnavailableError(err);
  }
}

/** What the ledger's routes share: the operators' guards, the currencies, the error answers, the ledger. */
interface LedgerRouteContext {
  guards: Guards;
  currencies: Currencies;
  errors: Parameters<typeof responses>[1];
  /** The ledger, or undefined once the 404 `ledger_not_configured` is sent. */
  ledger: (reply: FastifyReply) => LedgerDb | undefined;
}

export function registerLedgerRoutes(
  app: FastifyInstance,
  deps: { db: LedgerDb | undefined; guards: Guards; currencies: Currencies },
): void {
  const { db, guards, currencies } = deps;
  const errors: Parameters<typeof responses>[1] = [
    ...OPERATOR_ERRORS,
    [404, { description: 'No ledger is configured (LEDGER_DATABASE_URL unset).', example: NO_LEDGER }],
    [422, { description: 'A bad day, range or filter, named.' }],
  ];
  const ledger = (reply: FastifyReply): LedgerDb | undefined => {
    if (!db) sendError(reply, 404, NO_LEDGER.error.code, NO_LEDGER.error.message);
    return db;
  };
  const ctx: LedgerRouteContext = { guards, currencies, errors, ledger };
  registerReportRoute(app, ctx);
  registerSearchRoute(app, ctx);
}

/** GET /v1/reports/payouts: finance's totals, as JSON or CSV. */
function registerReportRoute(app: FastifyInstance, ctx: LedgerRouteContext): void {
  app.get(
    '/v1/reports/payouts',
    {
      preHandler: ctx.guards.operator('viewer'),
      schema: {
        summary: 'Viewer: payout totals per day, currency, method and state, from the ledger',
        description:
          'from and to are days (UTC), both included, at most 400 days apart. A payout counts on the day it ' +
          'reached its current state. format=csv answers text/csv (amount in major units, without separators).',
        querystring: reportQuery,
        security: OPERATOR,
        response: responses(
          { 200: ok('The totals, ordered by day, currency, method, state.', reportView) },
          ctx.errors,
        ),
      },
    },
    async (request, reply) => {
      const query = parseQuery(reportQuery, request.query);
      const db = ctx.ledger(reply);
      if (!db) return reply;
      const rows = await fromLedger(() => payoutTotals(db, query, ctx.currencies));
      if (query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="payouts-${query.from}-${query.to}.csv"`)
          .send(reportCsv(rows, ctx.currencies));
      }
      return { from: query.from, to: query.to, rows };
    },
  );
}

/** GET /v1/ledger/payouts: search over every payout the ledger holds. */
function registerSearchRoute(app: FastifyInstance, ctx: LedgerRouteContext): void {
  app.get(
    '/v1/ledger/payouts',
    {
      preHandler: ctx.guards.operator('viewer'),
      schema: {
        summary: 'Viewer: search the ledger by external_id, customer_id, order_id and day of creation',
        description:
          'Newest first; archived payouts too. Each payout without its history (GET /v1/payouts/:id has it).',
        querystring: archiveQuery,
        security: OPERATOR,
        response: responses({ 200: ok('The payouts found, newest first.', searchView) }, ctx.errors),
      },
    },
    async (request, reply) => {
      const query = parseQuery(archiveQuery, request.query);
      const db = ctx.ledger(reply);
      if (!db) return reply;
      return { payouts: await fromLedger(() => searchPayouts(db, query)) };
    },
  );
}
