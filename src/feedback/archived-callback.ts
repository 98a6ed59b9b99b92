import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Currencies, showAmount } from '../currency/index.js';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { archivedContradiction, type GatewayReport } from '../payout/gateway-report.js';
import type { PayoutState } from '../payout/states.js';
import type { PayoutStore } from '../payout/store.js';
import type { ArchiveReader } from '../producer/view.js';

/**
 * A gateway callback about a payout archived out of Redis (only its tombstone is left there). It is
 * that payout's, not an unknown one's: checked against the archived final state by the same rules as
 * a live payout's (gateway-report.ts), and a contradiction is recorded in the payout's history in the
 * ledger and raised as any other (metric, log line, notification, the console's contradictions).
 * Nothing is written back to Redis but the notification and its place in the contradictions index:
 * the payout is finished and is never revived to be sent again.
 */

export interface ArchivedCallbackDeps {
  store: PayoutStore;
  redis: Redis;
  archive: ArchiveReader;
  logger: Logger;
  /** Whether notifications are configured (NOTIFY_URL): a contradiction is notified like a live one's. */
  notify: boolean;
  onContradiction?: (externalId: string) => void;
  currencies?: Currencies;
}

export type ArchivedCallbackResult = 'not_archived' | 'unchanged' | 'contradiction';

/** A payout as the ledger's archive gives it, and a change it noted in its history. */
type ArchivedPayout = NonNullable<Awaited<ReturnType<ArchiveReader['payout']>>>;
type ArchivedChange = NonNullable<Awaited<ReturnType<ArchiveReader['note']>>>;

export async function applyArchivedCallback(
  deps: ArchivedCallbackDeps,
  externalId: string,
  report: GatewayReport,
): Promise<ArchivedCallbackResult> {
  if ((await deps.redis.exists(deps.store.keys.tombstone(externalId))) === 0) return 'not_archived';
  const payout = await deps.archive.payout(externalId);
  if (!payout) {
    // The tombstone says it exists: answer 503 so the gateway repeats it once the ledger answers.
    deps.logger.error(
      { external_id: externalId },
      'callback for a payout archived out of Redis but not found in the ledger (is LEDGER_DATABASE_URL set?)',
    );
    throw new StoreUnavailableError(undefined, 'the archived payout could not be read from the ledger');
  }
  const status = payout.status as PayoutState;
  const reason = archivedContradiction(
    {
      status,
      reason: payout.reason,
      amount: payout.amount,
      currency: payout.currency,
      customerId: payout.customer_id,
      orderId: payout.order_id,
    },
    report,
  );
  if (!reason) return 'unchanged';
  const change = await recordContradiction(deps, externalId, report, payout, reason);
  await showContradiction(deps, externalId, payout, change);
  return 'contradiction';
}

/** Notes the contradiction in the archived payout's history in the ledger, logs and raises it. */
async function recordContradiction(
  deps: ArchivedCallbackDeps,
  externalId: string,
  report: GatewayReport,
  payout: ArchivedPayout,
  reason: string,
): Promise<ArchivedChange> {
  const change = await deps.archive.note(externalId, {
    event: 'gateway_report',
    actor: 'callback',
    contradiction: true,
    gateway_status: report.status,
    ...(report.orderId !== undefined ? { order_id: report.orderId } : {}),
    ...(report.reasonCode !== undefined ? { reason_code: report.reasonCode } : {}),
    reason,
  });
  if (!change)
    throw new StoreUnavailableError(undefined, 'the archived payout could not be noted in the ledger');
  deps.logger.error(
    {
      external_id: externalId,
      current: payout.status as PayoutState,
      gateway_status: report.status,
      actor: 'callback',
      reason,
      archived: true,
      amount: showAmount(payout.amount, payout.currency, deps.currencies),
      ...(report.payout?.amount !== undefined ? { reported_amount: report.payout.amount } : {}),
    },
    'CONTRADICTION: the gateway reports something the payout contradicts; recorded, not applied',
  );
  deps.onContradiction?.(externalId);
  return change;
}

/** Lists the contradiction beside the live payouts' ones, and notifies it when notifications are on. */
async function showContradiction(
  deps: ArchivedCallbackDeps,
  externalId: string,
  payout: ArchivedPayout,
  change: ArchivedChange,
): Promise<void> {
  // On the console's overview with the live payouts' contradictions.
  await deps.store.listArchivedContradiction(externalId, Date.parse(change.at));
  if (deps.notify) {
    // The notifier builds a live payout's notification from Redis; this one is built here, whole.
    const { history: _none, ...view } = payout;
    const body = JSON.stringify({
      event: 'payout.contradiction',
      payout: { ...view, seq: change.seq, updated_at: change.at, changed_at: change.at, change },
    });
    await deps.redis.rpush(deps.store.keys.outbox, JSON.stringify({ event_id: randomUUID(), body }));
  }
}
