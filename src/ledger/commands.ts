import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { connectLedger, type LedgerDb } from './db.js';
import { migrateLedger } from './migrations.js';

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
