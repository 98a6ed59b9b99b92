import { randomUUID } from 'node:crypto';
import { showAmount } from '../currency/index.js';
import { runScript } from '../redis.js';
import { entryTail } from './history.js';
import { CUSTOMER_WINDOW } from './keys.js';
import { TRANSITION } from './scripts.js';
import { isTerminal, type PayoutEvent, type PayoutState, TRANSITIONS } from './states.js';
import type { Hold, RefusalDetail, StoreContext, TransitionOptions } from './store-types.js';

/** Fields every move clears unless it sets them again. */
const FIELDS_CLEARED_ON_MOVE = ['reason', 'reason_code', 'next_attempt_at'] as const;

export type Moved =
  | {
      ok: true;
      from: PayoutState;
      to: PayoutState;
      seq: number;
      attempts: number;
      token: string;
      /** With `claim`: the record's fields (flat) and its sealed payload, as they are after the move. */
      fields?: string[];
      payload?: string | null;
      /** With `claim`: the payout was already sending under the token named; nothing was written. */
      retaken?: boolean;
      /** With `claim`: the payment_system's breaker let this attempt through as its probe. */
      probe?: boolean;
      /** An approval was recorded short of the approvals needed; the state stayed. */
      approvalRecorded?: boolean;
    }
  | ({
      ok: false;
      current: PayoutState | undefined;
      heldBy?: string;
      nextAttemptAt?: number;
      since?: number;
      hold?: Hold;
    } & RefusalDetail);

/**
 * The one call of the TRANSITION script. `claim` adds what only a worker taking the payout needs:
 * the due-time check and the record as it is after the move, in the same round trip.
 */
export async function movePayout(
  ctx: StoreContext,
  externalId: string,
  event: PayoutEvent,
  opts: TransitionOptions,
  claim?: { dueBy: number; token: string },
): Promise<Moved> {
  const { redis, keys, now, outboxes, logger, options } = ctx;
  const rule = TRANSITIONS[event];
  const needsToken = 'needsToken' in rule && rule.needsToken;
  if (needsToken && !opts.token) throw new Error(`transition ${event} needs the holder's token`);
  const needsApprovals = 'needsApprovals' in rule && rule.needsApprovals;
  if (needsApprovals && !opts.approver) throw new Error(`transition ${event} needs the approver`);
  const to: PayoutState = rule.to;
  const at = now();
  const newToken = to === 'sending' ? (claim?.token ?? randomUUID()) : '-';
  const fields: string[] = [];
  for (const f of FIELDS_CLEARED_ON_MOVE) fields.push(f, '');
  const set = (name: string, value: string | number | undefined) => {
    if (value === undefined) return;
    const i = fields.indexOf(name);
    if (i >= 0 && i % 2 === 0) fields[i + 1] = String(value);
    else fields.push(name, String(value));
  };
  set('reason', opts.reason);
  set('reason_code', opts.reasonCode);
  set('next_attempt_at', opts.nextAttemptAt);
  set('gateway_status', opts.gatewayStatus);
  if (opts.mayHaveReached) set('may_have_reached', '1');
  // Only the indexes this event can touch: its from-states and its to-state.
  const from: readonly PayoutState[] = rule.from;
  const states = from.includes(to) ? [...from] : [...from, to];

  const res = (await runScript(
    redis,
    TRANSITION,
    8 + states.length,
    keys.record(externalId),
    keys.history(externalId),
    keys.outbox,
    keys.payload(externalId),
    keys.ledgerOutbox,
    ...states.map(keys.stateIndex),
    keys.controls.paused,
    keys.controls.held,
    keys.controls.breakers,
    `,${rule.from.join(',')},`,
    to,
    needsToken ? (opts.token ?? '') : '',
    newToken,
    String(at),
    entryTail(event, opts.actor, {
      gateway_status: opts.gatewayStatus,
      order_id: opts.orderId,
      reason: opts.reason,
      reason_code: opts.reasonCode,
      who: opts.who,
      note: opts.note,
    }),
    isTerminal(to) ? '1' : '0',
    to === 'sending' ? '1' : 'returnsAttempt' in rule && rule.returnsAttempt ? '-1' : '0',
    externalId,
    states.join(','),
    outboxes,
    claim ? String(claim.dueBy) : '',
    claim ? '1' : '0',
    'onlyIfNeverReached' in rule && rule.onlyIfNeverReached ? '1' : '0',
    opts.orderId ?? '',
    'refusedWithOrder' in rule && rule.refusedWithOrder && !opts.force ? '1' : '0',
    'heldByControls' in rule && rule.heldByControls ? '1' : '0',
    needsApprovals ? (opts.approver ?? '') : '',
    CUSTOMER_WINDOW(keys.base),
    ...fields,
  )) as [
    number,
    string?,
    (string | number)?,
    (string | number)?,
    string?,
    (string[] | string | null)?,
    (string | null)?,
    string?,
    string?,
    string?,
  ];

  if (res[0] === -1) return { ok: false, current: undefined };
  if (res[0] === 2) {
    return {
      ok: true,
      from: to,
      to,
      seq: Number(res[2]),
      attempts: Number(res[3]),
      token: newToken,
      fields: (res[5] as string[] | undefined) ?? [],
      payload: res[6] ?? null,
      retaken: true,
    };
  }
  if (res[0] === 0 && (res[4] === 'paused' || res[4] === 'breaker_open' || res[4] === 'breaker_half_open')) {
    const paymentSystem = String(res[5] ?? '');
    return {
      ok: false,
      current: res[1] as PayoutState,
      hold:
        res[4] === 'paused'
          ? { kind: 'paused', paymentSystem }
          : { kind: res[4], paymentSystem, until: Number(res[3]) },
    };
  }
  if (res[0] === 3) {
    const cur = res[1] as PayoutState;
    logger.info(
      { external_id: externalId, state: cur, event, approver: opts.approver },
      'payout approval recorded; another approver is needed',
    );
    const recorded = { from: cur, to: cur, seq: Number(res[2]), attempts: Number(res[3]) };
    return { ok: true, ...recorded, token: newToken, approvalRecorded: true };
  }
  if (res[0] !== 1) {
    const why = res[4];
    const order = String(res[5] ?? '');
    return {
      ok: false,
      current: res[1] as PayoutState,
      ...(res[2] ? { heldBy: String(res[2]) } : {}),
      ...(res[3] ? { nextAttemptAt: Number(res[3]) } : {}),
      ...(res[1] === 'sending' && res[6] ? { since: Number(res[6]) } : {}),
      ...(why === 'may_have_reached' ? { mayHaveReached: true as const } : {}),
      ...(why === 'other_order' ? { otherOrder: order } : {}),
      ...(why === 'order_recorded' ? { orderRecorded: order } : {}),
      ...(why === 'same_approver' ? { sameApprover: true as const } : {}),
    };
  }
  const moved = {
    ok: true as const,
    from: res[1] as PayoutState,
    to,
    seq: Number(res[2]),
    attempts: Number(res[3]),
    token: newToken,
  };
  options.onTransition?.(moved.from, to, String(res[4] ?? ''));
  logger.info(
    {
      external_id: externalId,
      from: moved.from,
      to,
      event,
      actor: opts.actor,
      attempt: moved.attempts,
      ...(res[7] && res[8] ? { amount: showAmount(Number(res[7]), res[8], options.currencies) } : {}),
      ...(opts.durationMs !== undefined ? { duration_ms: Math.round(opts.durationMs) } : {}),
      ...(opts.gatewayStatus !== undefined ? { gateway_status: opts.gatewayStatus } : {}),
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    },
    `payout ${moved.from} -> ${to}`,
  );
  return claim
    ? {
        ...moved,
        fields: (res[5] as string[] | undefined) ?? [],
        payload: res[6] ?? null,
        probe: res[9] === '1',
      }
    : moved;
}
