import { randomUUID } from 'node:crypto';
import { movePayout } from './move.js';
import { recordFrom } from './record.js';
import type { PayoutEvent } from './states.js';
import type { ClaimResult, StoreContext, TransitionOptions, TransitionResult } from './store-types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Moves a payout by the transition table, atomically. Refused (ok: false) when the current state is
 * not one the event starts from, or when the event needs the holder's token and it does not match.
 */
export async function transitionPayout(
  ctx: StoreContext,
  externalId: string,
  event: Exclude<PayoutEvent, 'claim'>,
  opts: TransitionOptions,
): Promise<TransitionResult> {
  // Taking a payout to send it has one way in, with its due-time check and its token: claim().
  if ((event as PayoutEvent) === 'claim')
    throw new Error('a payout is claimed with claim(), not transition()');
  const moved = await movePayout(ctx, externalId, event, opts);
  if (!moved.ok) {
    const { heldBy: _h, nextAttemptAt: _n, since: _s, ...refused } = moved;
    return refused;
  }
  const { token: _cleared, approvalRecorded, ...result } = moved;
  return approvalRecorded ? { ...result, approvalRecorded: true } : result;
}

/**
 * A worker takes a payout to send it: `queued` or a due `retry_scheduled` -> `sending`, under the
 * token it names (a fresh UUID unless it is repeating a claim whose answer it never got), returning
 * the record as it now is. Refused with what the worker needs to decide next: the current holder's
 * token for a payout already `sending`, the due time of one not yet due (`next_attempt_at` later
 * than `dueBy`).
 *
 * A payout already `sending` under the very token named is the caller's own claim, made by a call
 * whose answer was lost (a command resent after a reconnect, or the worker trying again): a worker
 * sends only once its claim has answered, so nothing was sent under it, and it is handed back as it
 * is, atomically, its time (updated_at) renewed: its holder sends from now. Name only a token of your
 * own, and never one another call may be holding.
 */
export async function claimPayout(
  ctx: StoreContext,
  externalId: string,
  dueBy: number,
  token: string = randomUUID(),
): Promise<ClaimResult> {
  if (!UUID.test(token)) throw new Error('a claim token must be a UUID');
  const moved = await movePayout(ctx, externalId, 'claim', { actor: 'worker' }, { dueBy, token });
  if (!moved.ok) return moved;
  const flat = moved.fields ?? [];
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const record = recordFrom(externalId, h, moved.payload ?? undefined);
  if (moved.retaken) {
    ctx.logger.warn(
      { external_id: externalId, attempt: moved.attempts },
      "payout claim recognised as this worker's own after its answer was lost; nothing was sent under it",
    );
  }
  return {
    ok: true,
    record,
    token: moved.token,
    attempts: moved.attempts,
    ...(moved.probe ? { probe: true as const } : {}),
  };
}
