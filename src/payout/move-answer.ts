import { showAmount } from '../currency/index.js';
import type { PayoutEvent, PayoutState } from './states.js';
import type { Hold, RefusalDetail, StoreContext, TransitionOptions } from './store-types.js';

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
      /** With `claim`: the payout was already sending under the token named; only its time was renewed. */
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

/** One move as asked: the payout, the event, its options and, once worked out, its token. */
export interface MoveCall {
  ctx: StoreContext;
  externalId: string;
  event: PayoutEvent;
  opts: TransitionOptions;
  claim: { dueBy: number; token: string } | undefined;
  to: PayoutState;
  newToken: string;
}

/** The TRANSITION script's answer: its code, then what that code carries. */
export type TransitionAnswer = [
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

/** The TRANSITION script's answer, decoded; a completed move is counted and logged. */
export function decodeMove(call: MoveCall, res: TransitionAnswer): Moved {
  const { to, newToken } = call;
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
    return held(res, res[4]);
  }
  if (res[0] === 3) return approvalRecorded(call, res);
  if (res[0] !== 1) return refused(res);
  return completed(call, res);
}

/** The payment_system is paused or its breaker holds the attempt back; nothing was written. */
function held(res: TransitionAnswer, kind: Hold['kind']): Moved {
  const paymentSystem = String(res[5] ?? '');
  return {
    ok: false,
    current: res[1] as PayoutState,
    hold:
      kind === 'paused' ? { kind: 'paused', paymentSystem } : { kind, paymentSystem, until: Number(res[3]) },
  };
}

/** An approval was recorded short of the approvals needed; the state stayed. */
function approvalRecorded(call: MoveCall, res: TransitionAnswer): Moved {
  const { ctx, externalId, event, opts, newToken } = call;
  const cur = res[1] as PayoutState;
  ctx.logger.info(
    { external_id: externalId, state: cur, event, approver: opts.approver },
    'payout approval recorded; another approver is needed',
  );
  const recorded = { from: cur, to: cur, seq: Number(res[2]), attempts: Number(res[3]) };
  return { ok: true, ...recorded, token: newToken, approvalRecorded: true };
}

/** The move was refused: the state it found and why. */
function refused(res: TransitionAnswer): Moved {
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

/** The move was made: counted, logged in one line, and with `claim` the record as it now is. */
function completed(call: MoveCall, res: TransitionAnswer): Moved {
  const { ctx, externalId, event, opts, claim, to, newToken } = call;
  const { logger, options } = ctx;
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
