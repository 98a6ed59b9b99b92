import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import type { Logger } from '../logger.js';
import { createDurabilityGuard, type DurabilitySetting } from '../payout/durability.js';
import { payoutKeys } from '../payout/keys.js';
import type { PayloadKeys } from '../payout/sealing.js';
import { createDeposit, type DepositContext } from './create-deposit.js';
import { createDepositRecords } from './records.js';
import { createDepositReports } from './reports.js';
import type { DepositSender } from './sending.js';

/**
 * Deposits: synchronous. Validate, record (durably, as REDIS_DURABILITY asks), call the gateway,
 * answer with the player's redirect. Only what was certainly not sent is sent again (within the
 * request, or on a repeated request); an unknown outcome is reported as unknown and never silently
 * retried. The cvv is never stored: not in the record, not in the digest, not in a log.
 *
 * The parts: states.ts (the table), records.ts (the record), scripts.ts (its scripts), view.ts (the
 * deposit as the API shows it), create-deposit.ts (one request, start to answer), sending.ts (the
 * send and its outcome), answers.ts (what the request answers), reports.ts (the gateway's
 * callbacks), routes.ts and view-schema.ts (POST /v1/deposits and its documentation).
 */

export { DepositOutcomeError } from './answers.js';
export type { DepositView } from './records.js';
export { type DepositSender, depositSendWindowMs } from './sending.js';
export { DEPOSIT_STATES, type DepositState } from './states.js';

export function createDeposits(deps: {
  redis: Redis;
  queuePrefix: string;
  payloadKeys: PayloadKeys;
  gateway: DepositSender;
  logger: Logger;
  onContradiction?: (externalId: string) => void;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
  /**
   * How long a deposit may stay `sending` while its request runs (every in-request try, timeouts
   * included). One `sending` for longer was cut off before its outcome was written (a crash, Redis
   * lost): it is answered as unknown, never as still in progress. @defaultValue 120000
   */
  sendWindowMs?: number;
  /** The deployment's currency rules (`config.currencies`); @defaultValue the rules of unset settings */
  currencies?: Currencies;
  /** REDIS_DURABILITY: the `sending` record is durable before the send. @defaultValue acknowledged */
  durability?: DurabilitySetting;
}) {
  const sendWindowMs = deps.sendWindowMs ?? 120_000;
  const records = createDepositRecords(deps);
  const reports = createDepositReports({
    records,
    logger: deps.logger,
    onContradiction: deps.onContradiction,
  });
  // On the records' own connection: a WAIT covers only what its connection wrote.
  const durability = createDurabilityGuard({
    redis: deps.redis,
    probeKey: payoutKeys(deps.queuePrefix).durabilityProbe,
    setting: deps.durability ?? { level: 'acknowledged', timeoutMs: 1_000 },
  });

  const context: DepositContext = {
    records,
    durability,
    gateway: deps.gateway,
    payloadKeys: deps.payloadKeys,
    logger: deps.logger,
    currencies: deps.currencies,
    sendWindowMs,
  };
  const create = (input: unknown) => createDeposit(context, input);

  return { create, get: records.get, applyReport: reports.applyReport };
}

export type Deposits = ReturnType<typeof createDeposits>;
