import { applyGatewayReport, type GatewayReport } from '../payout/gateway-report.js';
import { applyArchivedCallback } from './archived-callback.js';
import type { CallbackDeps, CallbackResult } from './callback-deps.js';
import type { Callback } from './callback-schema.js';
import { keepUnknownCallback } from './unknown-callbacks.js';

/** Applies a verified callback to its payout or deposit, or keeps it for operators. */
export async function recordCallback(
  deps: CallbackDeps,
  cb: Callback,
  report: GatewayReport,
): Promise<CallbackResult> {
  const result = await applyCallback(deps, cb, report);
  if (result === 'unknown_id') await keepUnknownCallback(deps, cb);
  return result;
}

/**
 * To the record its type names first: a deposit (type 1) or a payout (2; a refund, 3, has no record
 * of its own here). Deposits and payouts share the external_id, so one the first does not know is
 * tried on the other, where its type contradicts the record: a deposit's callback under a payout's
 * external_id is raised on the payout, never applied, and the reverse.
 */
async function applyCallback(
  deps: CallbackDeps,
  cb: Callback,
  report: GatewayReport,
): Promise<CallbackResult> {
  if (cb.type === 1) {
    const res = await applyDepositCallback(deps, cb, report);
    return res === 'unknown_id' ? applyPayoutCallback(deps, cb, report) : res;
  }
  const res = await applyPayoutCallback(deps, cb, report);
  // Refunds are kept for operators, as before, when no payout has their external_id.
  return res === 'unknown_id' && cb.type === 2 ? applyDepositCallback(deps, cb, report) : res;
}

/** To the deposit of that external_id, when deposits are served. */
async function applyDepositCallback(
  deps: CallbackDeps,
  cb: Callback,
  report: GatewayReport,
): Promise<CallbackResult> {
  if (!deps.onDepositReport) return 'unknown_id';
  const res = await deps.onDepositReport(cb.external_id, report);
  if (res === 'unknown_deposit') return 'unknown_id';
  if (res === 'contradiction') return 'contradiction';
  return res === 'unchanged' ? 'unchanged' : 'ok';
}

/** To the payout in Redis, else to the archived one in the ledger. */
async function applyPayoutCallback(
  deps: CallbackDeps,
  cb: Callback,
  report: GatewayReport,
): Promise<CallbackResult> {
  const res = await applyGatewayReport(
    {
      store: deps.store,
      logger: deps.logger,
      ...(deps.onContradiction ? { onContradiction: deps.onContradiction } : {}),
      ...(deps.currencies ? { currencies: deps.currencies } : {}),
    },
    cb.external_id,
    report,
    'callback',
  );
  if (res.result === 'unknown_payout') {
    // Not in Redis: archived (the ledger holds it), or truly unknown.
    const archived = deps.archive
      ? await applyArchivedCallback(
          {
            store: deps.store,
            redis: deps.redis,
            archive: deps.archive,
            logger: deps.logger,
            notify: deps.notify ?? false,
            ...(deps.onContradiction ? { onContradiction: deps.onContradiction } : {}),
            ...(deps.currencies ? { currencies: deps.currencies } : {}),
          },
          cb.external_id,
          report,
        )
      : 'not_archived';
    if (archived === 'not_archived') return 'unknown_id';
    return archived === 'contradiction' ? 'contradiction' : 'unchanged';
  }
  if (res.result === 'contradiction') return 'contradiction';
  return res.result === 'unchanged' ? 'unchanged' : 'ok';
}
