import type { Queue } from 'bullmq';
import type { Currencies } from '../currency/index.js';
import { NotFoundError, StoreUnavailableError, TransitionRefusedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PayoutStore } from '../payout/store.js';
import type { PayoutJobData } from '../queues.js';
import { isRedisUnavailable } from '../redis.js';
import { type ArchiveReader, type PayoutHold, type PayoutView, toView } from './view.js';

/** What the producer works with, and the reads its answers share. */
export interface ProducerDeps {
  store: PayoutStore;
  queue: Queue<PayoutJobData>;
  logger: Logger;
  /** The deployment's currency rules (`config.currencies`); @defaultValue the rules of unset settings */
  currencies?: Currencies;
  /** Where payouts archived out of Redis are read; without it, an archived payout is answered 503. */
  archive?: ArchiveReader;
  /** What holds a payment_system's payouts now, if anything (src/controls): shown on a waiting payout. */
  holdOf?: (paymentSystem: string) => Promise<PayoutHold | undefined>;
}

/** Turns "Redis is down" into the API's 503; everything else propagates. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isRedisUnavailable(err)) throw new StoreUnavailableError(err);
    throw err;
  }
}

/** The payout as the API shows it: from Redis with its history and hold, or from the archive. */
export async function view(deps: ProducerDeps, externalId: string): Promise<PayoutView> {
  const record = await deps.store.get(externalId);
  if (record) {
    const waiting = record.status === 'queued' || record.status === 'retry_scheduled';
    const hold = waiting ? await deps.holdOf?.(record.paymentSystem) : undefined;
    return toView(record, await deps.store.history(externalId), hold);
  }
  const archived = await deps.archive?.payout(externalId);
  if (!archived) throw new NotFoundError(externalId);
  return archived;
}

/** An archived payout, which its tombstone proves exists: 503 until the archive can answer. */
export async function archivedView(deps: ProducerDeps, externalId: string): Promise<PayoutView> {
  const archived = await deps.archive?.payout(externalId);
  if (archived) return archived;
  deps.logger.error(
    { external_id: externalId },
    'payout archived out of Redis but not found in the ledger (is LEDGER_DATABASE_URL set?)',
  );
  throw new StoreUnavailableError();
}

/** Why an operator's action found no payout in Redis: archived (finished, refused) or absent. */
export async function refusedOrMissing(
  deps: ProducerDeps,
  externalId: string,
  action: string,
): Promise<never> {
  const archived = await deps.archive?.payout(externalId);
  if (!archived) throw new NotFoundError(externalId);
  throw new TransitionRefusedError(externalId, action, archived.status);
}
