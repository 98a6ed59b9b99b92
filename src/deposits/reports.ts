import { describeType, GatewayType } from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { differences, type GatewayReport, otherType } from '../payout/gateway-report.js';
import type { DepositRecords } from './records.js';
import { type DepositState, depositStateFor } from './states.js';

export interface DepositReportsDeps {
  records: DepositRecords;
  logger: Logger;
  onContradiction?: (externalId: string) => void;
}

/**
 * A callback about a deposit: moves it, or records a contradiction without applying it (another final
 * result for a terminal deposit, any report of one never sent or refused, or another type, amount,
 * currency or order than the deposit's: a payout's callback under its external_id is not its own).
 */
export function createDepositReports(deps: DepositReportsDeps) {
  return { applyReport: (id: string, report: GatewayReport) => applyReport(deps, id, report) };
}

async function applyReport(deps: DepositReportsDeps, id: string, report: GatewayReport) {
  const { records } = deps;
  if (report.payout || otherType(report, GatewayType.DEPOSIT)) {
    const h = await records.fields(id);
    if (!h.status) return 'unknown_deposit' as const;
    const own = {
      type: GatewayType.DEPOSIT,
      amount: h.amount ?? '',
      currency: h.currency ?? '',
      orderId: h.order_id,
    };
    const differ = differences(own, report);
    if (differ.length > 0) {
      const about = differ.includes('type')
        ? `another transaction (${describeType(report.type!)}) under this deposit's external_id`
        : 'another deposit';
      return raise(
        deps,
        id,
        h.status as DepositState,
        report,
        `callback about ${about}: ${differ.join(', ')} differ`,
      );
    }
  }
  const to = depositStateFor(report.status);
  const moved = await records.move(
    id,
    to,
    { event: 'gateway_report', actor: 'callback', gateway_status: report.status },
    {
      gateway_status: String(report.status),
      ...(report.orderId ? { order_id: report.orderId } : {}),
    },
  );
  if (moved.ok) return 'applied' as const;
  if (moved.current === undefined) return 'unknown_deposit' as const;
  // The casino was told "nothing was sent" (not_sent) or "refused" (rejected): any report of it says
  // the gateway has it after all.
  const contradiction =
    moved.current === 'not_sent' ||
    moved.current === 'rejected' ||
    (moved.current === 'succeeded' && to === 'failed') ||
    (moved.current === 'failed' && to === 'succeeded');
  if (!contradiction) return 'unchanged' as const;
  return raise(
    deps,
    id,
    moved.current,
    report,
    `callback reported status ${report.status} for a deposit that is ${moved.current}`,
  );
}

/** Records a callback that contradicts the deposit in its history, logs and raises it; nothing moves. */
async function raise(
  deps: DepositReportsDeps,
  id: string,
  current: DepositState,
  report: GatewayReport,
  reason: string,
) {
  await deps.records.note(
    id,
    {
      event: 'gateway_report',
      actor: 'callback',
      contradiction: true,
      from: current,
      to: current,
      gateway_status: report.status,
      reason,
    },
    Date.now(),
  );
  deps.logger.error(
    { external_id: id, current, gateway_status: report.status, kind: 'deposit', reason },
    'CONTRADICTION: a callback contradicts a deposit; recorded, not applied',
  );
  deps.onContradiction?.(id);
  return 'contradiction' as const;
}
