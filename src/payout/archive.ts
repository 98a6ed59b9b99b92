import type { Redis } from 'ioredis';
import { runScript } from '../redis.js';
import { payoutKeys } from './keys.js';
import { ARCHIVE } from './scripts.js';
import type { PayoutState } from './states.js';

/**
 * Archiving a finished payout out of Redis (the ledger decides when: src/ledger/archiver.ts). Atomic:
 * the payout's tombstone replaces its record, history and payload in one script, and only if it has
 * not changed since its seq was checked against the ledger. The tombstone keeps the request digest, so
 * the external_id is never accepted as new again (CREATE answers `archived` with it).
 */
export async function archivePayout(
  redis: Redis,
  queuePrefix: string,
  externalId: string,
  state: PayoutState,
  seq: number,
): Promise<boolean> {
  const keys = payoutKeys(queuePrefix);
  const res = await runScript(
    redis,
    ARCHIVE,
    5,
    keys.record(externalId),
    keys.history(externalId),
    keys.payload(externalId),
    keys.tombstone(externalId),
    keys.stateIndex(state),
    String(seq),
    state,
    externalId,
  );
  return res === 1;
}
