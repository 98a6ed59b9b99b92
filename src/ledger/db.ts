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
  // A connection PostgreSQL drops (a restart, a network cut) is reported by pg as an 'error' event of
  // its client, and an event nobody listens to ends the process. The pool listens only while the
  // client is idle in it; between two statements of a transaction the client is lent out, so every
  // client gets a listener of its own for its whole life. The work that held it fails with the lost
  // connection (and is retried); the pool drops the client; the next query opens a fresh one.
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err }, 'ledger connection lost')));
  // The pool repeats an idle client's error as its own: logged above already.
  pool.on('error', () => undefined);
  return new Kysely<LedgerDatabase>({ dialect: new PostgresDialect({ pool }) });
}
