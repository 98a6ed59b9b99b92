import type { GatewayOutcome } from '../gateway/outcome.js';
import type { GatewayRequest } from '../methods/index.js';
import type { DepositRecords } from './records.js';
import { depositStateFor } from './states.js';

/**
 * Sending a deposit within its request: only a try that certainly never arrived is made again, and
 * the outcome, whatever it is, is written through the deposit's transition table.
 */

export interface DepositSender {
  deposit(request: GatewayRequest): Promise<GatewayOutcome>;
}

/** Sends that certainly did not arrive are tried this many times within one request. */
const IN_REQUEST_ATTEMPTS = 3;
const IN_REQUEST_PAUSE_MS = 200;

/** The longest a deposit's request can keep it `sending`: every try timing out, plus a margin. */
export const depositSendWindowMs = (gateway: { connectTimeoutMs: number; timeoutMs: number }) =>
  IN_REQUEST_ATTEMPTS * (gateway.connectTimeoutMs + gateway.timeoutMs + IN_REQUEST_PAUSE_MS) + 10_000;

/** Sends the deposit, again only while the gateway certainly did not get it, up to the tries allowed. */
export async function sendDeposit(gateway: DepositSender, request: GatewayRequest): Promise<GatewayOutcome> {
  let outcome = await gateway.deposit(request);
  for (let attempt = 2; attempt <= IN_REQUEST_ATTEMPTS; attempt++) {
    if (outcome.kind !== 'not_sent' && outcome.kind !== 'retry_later') break;
    await new Promise((r) => setTimeout(r, IN_REQUEST_PAUSE_MS * (attempt - 1)));
    outcome = await gateway.deposit(request);
  }
  return outcome;
}

/** Writes the gateway's outcome of a send as the deposit's next state. */
export async function settleDeposit(
  records: DepositRecords,
  id: string,
  outcome: GatewayOutcome,
): Promise<void> {
  const actor = { actor: 'producer' };
  switch (outcome.kind) {
    case 'accepted':
    case 'final':
    case 'unknown_status': {
      const a = outcome.answer;
      await records.move(
        id,
        depositStateFor(a.status),
        { event: 'gateway_answer', ...actor, gateway_status: a.status },
        {
          gateway_status: String(a.status),
          order_id: a.order_id,
          ...(a.redirect ? { redirect: a.redirect } : {}),
        },
      );
      return;
    }
    case 'not_sent':
    case 'retry_later':
      await records.move(id, 'not_sent', { event: outcome.kind, ...actor, reason: outcome.kind });
      return;
    case 'rejected':
      await records.move(id, 'rejected', {
        event: 'rejected',
        ...actor,
        reason: `HTTP ${outcome.httpStatus} ${outcome.code}`,
      });
      return;
    case 'duplicate':
    case 'unknown':
      await records.move(id, 'unknown', {
        event: outcome.kind,
        ...actor,
        reason: outcome.kind === 'unknown' ? outcome.code : 'duplicate',
      });
      return;
    // Another transaction's answer (a payout's, replayed for the shared external_id): its order and
    // status are not this deposit's, so neither is kept; whether this deposit exists is unknown.
    case 'other_transaction': {
      const reason = `${outcome.code}: ${outcome.message}`;
      await records.move(id, 'unknown', { event: outcome.kind, ...actor, reason }, { reason });
      return;
    }
    default: {
      const never: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
    }
  }
}
