import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import { ConflictError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { maskPaymentData, validateDepositRequest } from '../methods/index.js';
import { createDurabilityGuard, type DurabilitySetting } from '../payout/durability.js';
import { payoutKeys } from '../payout/keys.js';
import { canonicalJson, isDigestOf, type PayloadKeys, requestDigest } from '../payout/sealing.js';
import { isRedisUnavailable } from '../redis.js';
import { answerFor, notDurable, outcomeNotRecorded } from './answers.js';
import { createDepositRecords, type DepositView } from './records.js';
import { createDepositReports } from './reports.js';
import { type DepositSender, sendDeposit, settleDeposit } from './sending.js';

/**
 * Deposits: synchronous. Validate, record (durably, as REDIS_DURABILITY asks), call the gateway,
 * answer with the player's redirect. Only what was certainly not sent is sent again (within the
 * request, or on a repeated request); an unknown outcome is reported as unknown and never silently
 * retried. The cvv is never stored: not in the record, not in the digest, not in a log.
 *
 * The parts: states.ts (the table), records.ts (the record and its scripts), sending.ts (the send
 * and its outcome), answers.ts (what the request answers), reports.ts (the gateway's callbacks).
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

  async function create(input: unknown): Promise<{ created: boolean; deposit: DepositView }> {
    const valid = validateDepositRequest(input, deps.currencies);
    if (!valid.ok) throw new ValidationError(valid.issues);
    const { method, request } = valid;
    const id = request.external_id;
    const { cvv: _cvv, ...withoutCvv } = request.payment_data ?? {};
    const canonical = canonicalJson({ method, request: { ...request, payment_data: withoutCvv } });
    const digest = requestDigest(deps.payloadKeys, canonical);

    const existing = await records.digest(id);
    if (existing !== null && !isDigestOf(deps.payloadKeys, canonical, existing)) throw new ConflictError(id);
    const { result: started, durable } = await durability.durably(() =>
      records.move(
        id,
        'sending',
        { event: 'send', actor: 'producer' },
        {
          digest,
          method,
          amount: String(request.amount),
          currency: request.currency,
          masked: JSON.stringify(maskPaymentData(method, request.payment_data ?? {})),
        },
      ),
    );
    if (!started.ok) {
      // Already sent (or being sent): answer what we know, never send again.
      const view = await records.get(id);
      if (!view) throw new Error(`deposit ${id} vanished`);
      return { created: false, deposit: answerFor(view, sendWindowMs) };
    }
    if (!durable) {
      // A fail-over could lose the record and let the same deposit be sent twice: do not send.
      await records.move(id, 'not_sent', { event: 'not_durable', actor: 'producer', reason: 'not_durable' });
      throw notDurable();
    }

    const outcome = await sendDeposit(deps.gateway, request);
    let view: DepositView | undefined;
    try {
      await settleDeposit(records, id, outcome);
      view = await records.get(id);
    } catch (err) {
      // Never "nothing was accepted, try again" (a 503): a try may have reached the gateway.
      if (!isRedisUnavailable(err)) throw err;
      deps.logger.error(
        { external_id: id, outcome: outcome.kind, err, kind: 'deposit' },
        'the outcome of a deposit could not be recorded; it may have reached the gateway',
      );
      throw outcomeNotRecorded();
    }
    if (!view) throw new Error(`deposit ${id} vanished`);
    return { created: true, deposit: answerFor(view, sendWindowMs) };
  }

  return { create, get: records.get, applyReport: reports.applyReport };
}

export type Deposits = ReturnType<typeof createDeposits>;
