import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { payoutKeys } from '../payout/keys.js';
import { copyAuditOnce } from './audit-copy.js';
import type { LedgerDb } from './db.js';
import {
  BATCH,
  type LedgerWriteResult,
  retryRefusedOnce,
  type WriterContext,
  writeOutboxOnce,
} from './outbox-pass.js';
import { refusedKey } from './refused.js';

export type { LedgerOutboxEntry } from './outbox-entry.js';
export type { LedgerWriteResult } from './outbox-pass.js';

/**
 * The ledger writer: carries the ledger outbox (written by the record's scripts in the same step as
 * each change) into PostgreSQL. At least once: an entry leaves the outbox only after the transaction
 * holding its rows committed; a row written twice is one row (primary key (external_id, seq), insert
 * or nothing). Each entry names a change; the writer reads the payout as it now is and writes its
 * whole history, so entries delivered late, twice or out of order all end in the same rows.
 *
 * PostgreSQL down or slow only delays this loop: payouts never wait for it, the outbox waits in Redis
 * and the lag is a metric (metrics.ts). Nothing is ever skipped: a batch that fails is tried again, and
 * a payout whose rows the database refuses is moved aside and tried again on its own (refused.ts).
 * The outbox's entries and their groups are in outbox-entry.ts, a pass over a list in outbox-pass.ts,
 * reading a group's rows from Redis in group-read.ts and writing them in group-write.ts.
 */

const IDLE_MS = 100;
/** Back-off after a failed write: doubling from 250 ms to 10 s, so a recovered database is found soon. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Refused rows are tried again from 5 s, doubling to 5 min while they stay refused (each try is logged). */
const REFUSED_RETRY_BASE_MS = 5_000;
const REFUSED_RETRY_MAX_MS = 300_000;

export function createLedgerWriter(deps: {
  redis: Redis;
  queuePrefix: string;
  db: LedgerDb;
  logger: Logger;
  /** Entries written (inserted or found already there), failed write attempts and refused entries. */
  onWrite?: (result: LedgerWriteResult, entries: number) => void;
}) {
  const keys = payoutKeys(deps.queuePrefix);
  const outbox = keys.ledgerOutbox;
  const ctx: WriterContext = { ...deps, keys, outbox, refusedList: refusedKey(outbox) };

  let running = false;
  let done: Promise<void> = Promise.resolve();
  return {
    writeOnce: () => writeOutboxOnce(ctx),
    writeAuditOnce: () => copyAuditOnce(ctx, BATCH),
    retryRefusedOnce: () => retryRefusedOnce(ctx),
    start() {
      running = true;
      done = writeLoop(ctx, () => running);
    },
    async close() {
      running = false;
      await done;
    },
  };
}

/** Writes the outbox and the audit log until stopped, the refused entries now and then, backing off on failure. */
async function writeLoop(ctx: WriterContext, running: () => boolean): Promise<void> {
  let delay = RETRY_BASE_MS;
  let refusedDelay = REFUSED_RETRY_BASE_MS;
  let refusedAt = 0;
  while (running()) {
    try {
      const n = (await writeOutboxOnce(ctx)) + (await copyAuditOnce(ctx, BATCH));
      if (Date.now() >= refusedAt) {
        const still = await retryRefusedOnce(ctx);
        refusedDelay = still > 0 ? Math.min(REFUSED_RETRY_MAX_MS, refusedDelay * 2) : REFUSED_RETRY_BASE_MS;
        refusedAt = Date.now() + refusedDelay;
      }
      delay = RETRY_BASE_MS;
      if (n === 0) await new Promise((r) => setTimeout(r, IDLE_MS));
    } catch (err) {
      ctx.onWrite?.('failed', 0);
      ctx.logger.warn(
        { err, retry_in_ms: delay },
        'ledger: write failed; the outbox waits in Redis and is tried again',
      );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(RETRY_MAX_MS, delay * 2);
    }
  }
}
