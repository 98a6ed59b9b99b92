import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { LedgerDatabase } from './schema.js';

/**
 * The ledger's connection pool. Short timeouts on purpose: the ledger is written behind the outbox,
 * so a PostgreSQL that hangs must fail a write quickly (and have it retried) rather than hold a
 * writer for minutes. The URL's own parameters (e.g. `options=-c search_path=...`) are honoured.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 30_000;
const POOL_SIZE = 5;

export type LedgerDb = Kysely<LedgerDatabase>;

export function connectLedger(url: string, logger: Logger): LedgerDb {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that PostgreSQL drops (a restart) is reported here; without a listener the
  // process would crash. The next query opens a fresh one.
  pool.on('error', (err) => logger.warn({ err }, 'ledger connection lost'));
  return new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) });
}
