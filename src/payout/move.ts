import { randomUUID } from 'node:crypto';
import { runScript } from '../redis.js';
import { decodeMove, type MoveCall, type Moved, type TransitionAnswer } from './move-answer.js';
import { transitionArgs } from './move-args.js';
import { shapeOf } from './move-shape.js';
import { TRANSITION } from './scripts.js';
import type { PayoutEvent } from './states.js';
import type { StoreContext, TransitionOptions } from './store-types.js';

export type { Moved } from './move-answer.js';

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
  const { redis, keys, now } = ctx;
  const shape = shapeOf(keys, event);
  const { to, needsToken, needsApprovals } = shape;
  if (needsToken && !opts.token) throw new Error(`transition ${event} needs the holder's token`);
  if (needsApprovals && !opts.approver) throw new Error(`transition ${event} needs the approver`);
  const at = now();
  const newToken = to === 'sending' ? (claim?.token ?? randomUUID()) : '-';
  const call: MoveCall = { ctx, externalId, event, opts, claim, to, newToken };
  const args = transitionArgs(call, shape, at);
  const res = (await runScript(redis, TRANSITION, 8 + shape.stateKeys.length, ...args)) as TransitionAnswer;
  return decodeMove(call, res);
}
