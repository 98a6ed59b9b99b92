import { randomUUID } from 'node:crypto';
import { showAmount } from '../currency/index.js';
import { runScript } from '../redis.js';
import { entryTail } from './history.js';
import { CUSTOMER_WINDOW } from './keys.js';
import { TRANSITION } from './scripts.js';
import { isTerminal, type PayoutEvent, type PayoutState, TRANSITIONS } from './states.js';
import type { Hold, RefusalDetail, StoreContext, TransitionOptions } from './store-types.js';

/**
 * What the TRANSITION script is told about an event that never changes between calls: worked out
 * once per event and deployment (its state indexes' keys included), not on every move.
 */
interface EventShape {
  to: PayoutState;
  needsToken: boolean;
  needsApprovals: boolean;
  /** The allowed from-states, comma-separated and wrapped in commas (ARGV[1]). */
  from: string;
  /** The indexes this event can touch, its from-states and its to-state: their keys and names. */
  stateKeys: string[];
  states: string;
  terminal: string;
  attemptsDelta: string;
  onlyIfNeverReached: string;
  refusedWithOrder: boolean;
  heldByControls: string;
}

const shapes = new WeakMap<StoreContext['keys'], Map<PayoutEvent, EventShape>>();

function shapeOf(keys: StoreContext['keys'], event: PayoutEvent): EventShape {
  let byEvent = shapes.get(keys);
  if (!byEvent) {
    byEvent = new Map();
    shapes.set(keys, byEvent);
  }
  let shape = byEvent.get(event);
  if (shape) return shape;
  const rule = TRANSITIONS[event];
  const to: PayoutState = rule.to;
  const from: readonly PayoutState[] = rule.from;
  const states = from.includes(to) ? [...from] : [...from, to];
  shape = {
    to,
    needsToken: 'needsToken' in rule && rule.needsToken,
    needsApprovals: 'needsApprovals' in rule && rule.needsApprovals,
    from: `,${from.join(',')},`,
    stateKeys: states.map(keys.stateIndex),
    states: states.join(','),
    terminal: isTerminal(to) ? '1' : '0',
    attemptsDelta: to === 'sending' ? '1' : 'returnsAttempt' in rule && rule.returnsAttempt ? '-1' : '0',
    onlyIfNeverReached: 'onlyIfNeverReached' in rule && rule.onlyIfNeverReached ? '1' : '0',
    refusedWithOrder: 'refusedWithOrder' in rule && rule.refusedWithOrder,
    heldByControls: 'heldByControls' in rule && rule.heldByControls ? '1' : '0',
  };
  byEvent.set(event, shape);
  return shape;
}

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
  const shape = shapeOf(keys, event);
  const { to, needsToken, needsApprovals } = shape;
  if (needsToken && !opts.token) throw new Error(`transition ${event} needs the holder's token`);
  if (needsApprovals && !opts.approver) throw new Error(`transition ${event} needs the approver`);
  const at = now();
  const newToken = to === 'sending' ? (claim?.token ?? randomUUID()) : '-';
  // Every move clears these fields unless it sets them again ('' deletes a field).
  const fields = [
    'reason',
    opts.reason ?? '',
    'reason_code',
    opts.reasonCode ?? '',
    'next_attempt_at',
    opts.nextAttemptAt === undefined ? '' : String(opts.nextAttemptAt),
  ];
  if (opts.gatewayStatus !== undefined) fields.push('gateway_status', String(opts.gatewayStatus));
  if (opts.mayHaveReached) fields.push('may_have_reached', '1');

  const res = (await runScript(
    redis,
    TRANSITION,
    8 + shape.stateKeys.length,
    keys.record(externalId),
    keys.history(externalId),
    keys.outbox,
    keys.payload(externalId),
    keys.ledgerOutbox,
    ...shape.stateKeys,
    keys.controls.paused,
    keys.controls.held,
    keys.controls.breakers,
    shape.from,
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
    shape.terminal,
    shape.attemptsDelta,
    externalId,
    shape.states,
    outboxes,
    claim ? String(claim.dueBy) : '',
    claim ? '1' : '0',
    shape.onlyIfNeverReached,
    opts.orderId ?? '',
    shape.refusedWithOrder && !opts.force ? '1' : '0',
    shape.heldByControls,
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
  // One line per move, its fields set only when they hold something.
  const line: Record<string, unknown> = {
    external_id: externalId,
    from: moved.from,
    to,
    event,
    actor: opts.actor,
    attempt: moved.attempts,
  };
  if (res[7] && res[8]) line.amount = showAmount(Number(res[7]), res[8], options.currencies);
  if (opts.durationMs !== undefined) line.duration_ms = Math.round(opts.durationMs);
  if (opts.gatewayStatus !== undefined) line.gateway_status = opts.gatewayStatus;
  if (opts.reason !== undefined) line.reason = opts.reason;
  logger.info(line, `payout ${moved.from} -> ${to}`);
  return claim
    ? {
        ...moved,
        fields: (res[5] as string[] | undefined) ?? [],
        payload: res[6] ?? null,
        probe: res[9] === '1',
      }
    : moved;
}
