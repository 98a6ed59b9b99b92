import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createLedgerArchiver } from './archiver.js';
import { connectLedger, type LedgerDb } from './db.js';
import { ledgerWriteCounter, registerLedgerMetrics } from './metrics.js';
import { migrateLedger } from './migrations.js';
import { createLedgerReader } from './reader.js';
import { createLedgerWriter } from './writer.js';

/** How often a worker looks for finished payouts past the retention. */
const ARCHIVE_EVERY_MS = 60_000;
const MIGRATE_RETRY_MS = 5_000;

/**
 * The ledger as one part of the system (system.ts): its pool, the reader the API falls back to, and,
 * in worker processes, the writer and the archiver. Nothing here blocks the start: a PostgreSQL that
 * is down at start is migrated and written once it answers, while payouts go on.
 */
export function createLedgerPart(
  ledger: NonNullable<Config['ledger']>,
  deps: { queuePrefix: string; logger: Logger; registry: Registry; metricsRedis: Redis },
) {
  const logger = deps.logger.child({ part: 'ledger' });
  const db: LedgerDb = connectLedger(ledger.url, logger);
  registerLedgerMetrics(deps.registry, deps.metricsRedis, deps.queuePrefix);
  const onWrite = ledgerWriteCounter(deps.registry);
  const closers: (() => Promise<void>)[] = [];
  let stopped = false;

  /** Resolves once the schema is current (or at once when migrations are left to `payouts migrate`). */
  const migrated = (async () => {
    while (ledger.migrateOnStart && !stopped) {
      try {
        const applied = await migrateLedger(db);
        if (applied.length > 0) logger.info({ applied }, 'ledger: migrations applied');
        return;
      } catch (err) {
        logger.warn({ err }, 'ledger: migration failed; trying again');
        await new Promise((r) => setTimeout(r, MIGRATE_RETRY_MS));
      }
    }
  })();

  return {
    db,
    reader: createLedgerReader(db),
    /** Starts the writer and the archiver on a worker-role connection (they wait out Redis outages). */
    startWorkers(redis: Redis) {
      const writer = createLedgerWriter({ redis, queuePrefix: deps.queuePrefix, db, logger, onWrite });
      const archiver = createLedgerArchiver({
        redis,
        queuePrefix: deps.queuePrefix,
        db,
        logger,
        retentionMs: ledger.retentionMs,
      });
      void migrated.then(() => {
        if (stopped) return;
        writer.start();
        archiver.start(ARCHIVE_EVERY_MS);
      });
      closers.push(
        () => writer.close(),
        () => archiver.close(),
      );
      return { writer, archiver };
    },
    async close() {
      stopped = true;
      await migrated;
      for (const c of closers) await c();
      await db.destroy();
    },
  };
}
