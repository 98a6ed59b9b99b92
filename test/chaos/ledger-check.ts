import type { Redis } from 'ioredis';
import pg from 'pg';
import { refusedKey } from '../../src/ledger/refused.js';
import { payoutKeys } from '../../src/payout/keys.js';
import { dumpSchema, LEDGER_TEST_URL, ledgerSchema, ledgerUrl } from '../helpers/ledger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { compareLedger } from './ledger-compare.js';
import type { ChaosCleanup } from './processes.js';
import { sleep } from './run-context.js';

/**
 * The chaos run with the ledger on: the processes write to PostgreSQL through a TCP proxy in this
 * process, which cuts every connection and refuses new ones for a while in the middle of the run (what
 * the writer sees of a PostgreSQL restart: transactions cut mid-way, a commit whose answer is lost,
 * then nothing, then a fresh server), while payouts go on. The machine's shared PostgreSQL itself is
 * never touched; each run has a schema of its own. Afterwards every change in the Redis histories must
 * be exactly one row in the ledger (none missing, none doubled, none extra), each payout's current row
 * at its last seq, and no secret of the run in the database.
 */

export interface LedgerChaosResult {
  /** When the cut came: ledger rows already written, and for how long the database was away. */
  outage: { afterRows: number; downMs: number } | undefined;
  payouts: number;
  /** Changes in the Redis histories of payouts and deposits, and rows in the ledger. */
  changes: number;
  rows: number;
  missing: string[];
  extra: string[];
  mismatched: string[];
  staleCurrent: string[];
  /** Entries still in the ledger outbox (or set aside as refused) when the check gave up waiting. */
  outboxLeft: number;
  refusedLeft: number;
  /** The database's text dump, for the run's secret scan. */
  dump: string;
}

export async function startChaosLedger(cleanup: ChaosCleanup) {
  const schema = await ledgerSchema();
  cleanup.add('ledger schema', () => schema.drop());
  const target = new URL(LEDGER_TEST_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  cleanup.add('ledger proxy', () => proxy.close());
  const direct = new pg.Client({ connectionString: schema.url });
  await direct.connect();
  cleanup.add('ledger connection', () => direct.end());
  let outage: LedgerChaosResult['outage'];
  let outageTask: Promise<void> = Promise.resolve();
  let stopped = false;
  cleanup.add('ledger outage', () => {
    stopped = true;
    proxy.restore();
  });

  const count = async (table: string) =>
    Number((await direct.query(`select count(*)::int as n from ${table}`)).rows[0].n);

  return {
    env: { LEDGER_DATABASE_URL: ledgerUrl(schema.schema, proxy.port) },

    /** Cuts the database away once `afterRows` changes are in it, for `downMs` (in the background). */
    outageMidRun(afterRows: number, downMs: number, event: (what: string) => void): void {
      outageTask = this.outage(afterRows, downMs, event).catch((err: unknown) => {
        event(`ledger outage failed: ${String(err)}`);
      });
    },

    async outage(afterRows: number, downMs: number, event: (what: string) => void): Promise<void> {
      for (;;) {
        if (stopped) return;
        const rows = await count('payout_transitions').catch(() => 0);
        if (rows >= afterRows) {
          proxy.cut();
          event(`PostgreSQL cut away (${rows} ledger rows written)`);
          await sleep(downMs);
          proxy.restore();
          outage = { afterRows: rows, downMs };
          event('PostgreSQL back');
          return;
        }
        await sleep(200);
      }
    },

    /** Waits for the processes' writers to empty the outbox, then compares Redis with the ledger. */
    async check(redis: Redis, queuePrefix: string, drainTimeoutMs: number): Promise<LedgerChaosResult> {
      // An outage that has not come by now never will: the run is over.
      stopped = true;
      await outageTask;
      const left = await waitForOutbox(redis, queuePrefix, drainTimeoutMs);
      const found = await compareLedger(redis, direct, queuePrefix);
      return { outage, ...found, ...left, dump: await dumpSchema(schema.url) };
    },
  };
}

/** Entries still in the ledger outbox (and set aside as refused) once it is empty, or the wait is over. */
async function waitForOutbox(redis: Redis, queuePrefix: string, drainTimeoutMs: number) {
  const keys = payoutKeys(queuePrefix);
  const deadline = Date.now() + drainTimeoutMs;
  while (Date.now() < deadline && (await redis.llen(keys.ledgerOutbox)) > 0) await sleep(200);
  const outboxLeft = await redis.llen(keys.ledgerOutbox);
  const refusedLeft = await redis.llen(refusedKey(keys.ledgerOutbox));
  return { outboxLeft, refusedLeft };
}

/** What a ledger run found wrong, each a line for the report's failures. */
export function ledgerFailures(r: LedgerChaosResult | undefined, secretHits: number): string[] {
  if (!r) return ['ledger: the check did not run'];
  const out: string[] = [];
  if (!r.outage) out.push('ledger: the PostgreSQL outage never came (too few rows written)');
  if (r.outboxLeft > 0) out.push(`ledger: ${r.outboxLeft} outbox entries never written`);
  if (r.refusedLeft > 0) out.push(`ledger: ${r.refusedLeft} entries refused by the database`);
  if (r.missing.length > 0) out.push(`ledger: changes missing: ${r.missing.slice(0, 5).join(', ')}`);
  if (r.extra.length > 0) out.push(`ledger: rows with no change in Redis: ${r.extra.slice(0, 5).join(', ')}`);
  if (r.mismatched.length > 0)
    out.push(`ledger: rows unlike their change: ${r.mismatched.slice(0, 5).join(', ')}`);
  if (r.staleCurrent.length > 0)
    out.push(`ledger: current rows behind: ${r.staleCurrent.slice(0, 5).join(', ')}`);
  if (r.rows !== r.changes) out.push(`ledger: ${r.rows} rows for ${r.changes} changes`);
  if (secretHits !== 0) out.push(`ledger: ${secretHits} secrets of the run found in the database`);
  return out;
}

/** One line for people: what the ledger run did and found. */
export function formatLedgerResult(r: LedgerChaosResult | undefined, secretHits: number): string {
  if (!r) return 'ledger: no result';
  const outage = r.outage
    ? `PostgreSQL cut for ${r.outage.downMs} ms after ${r.outage.afterRows} rows`
    : 'no outage';
  return `ledger: ${r.payouts} payouts, ${r.changes} changes, ${r.rows} rows; ${outage}; missing ${r.missing.length}, extra ${r.extra.length}, mismatched ${r.mismatched.length}, current rows behind ${r.staleCurrent.length}; secrets in the database ${secretHits}`;
}
