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

async function applyCallback(
  deps: CallbackDeps,
  cb: Callback,
  report: GatewayReport,
): Promise<CallbackResult> {
  if (cb.type === 2) return applyPayoutCallback(deps, cb, report);
  if (cb.type === 1 && deps.onDepositReport) {
    const res = await deps.onDepositReport(cb.external_id, report);
    if (res === 'unknown_deposit') return 'unknown_id';
    if (res === 'contradiction') return 'contradiction';
    return res === 'unchanged' ? 'unchanged' : 'ok';
  }
  return 'unknown_id'; // refunds, and deposits when deposits are not served: kept for operators
}

/** A type-2 callback: to the payout in Redis, else to the archived one in the ledger. */
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
