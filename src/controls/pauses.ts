import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { auditFields, auditKey } from '../operators/audit.js';
import { type PayoutKeys, payoutKeys } from '../payout/keys.js';
import type { PayoutJobData } from '../queues.js';
import { runScript } from '../redis.js';
import { controlEvent } from './events.js';
import { wakeHeld } from './held-wake.js';
import { ALL_SYSTEMS, type ChangeBy, decodePause, type Pause } from './pause.js';
import { PAUSE, RESUME } from './pause-scripts.js';

export { ALL_SYSTEMS, type ChangeBy, type Pause } from './pause.js';

/**
 * The kill switch: sending to one payment_system, or to all (`*`), is paused. The pause lives in Redis
 * under QUEUE_PREFIX, so it survives restarts and every worker obeys it. A worker's claim consults it
 * (the claim rule's `heldByControls`, payout/scripts.ts): a payout of a paused system stays as it is,
 * queued or retry_scheduled, no attempt counted, and is noted as held; resuming wakes the held payouts
 * of the systems no pause covers any longer, each of which the claim then sends once.
 * What a pause is in pause.ts, its scripts in pause-scripts.ts, the waking of held payouts in
 * held-wake.ts.
 */

export type Pauses = ReturnType<typeof createPauses>;

/** What the pauses work with. */
interface PausesContext {
  redis: Redis;
  /** The payout queue, whose jobs resuming wakes. */
  queue: Queue<PayoutJobData>;
  logger: Logger;
  /** The scripts' "push the event" argument: '1' yes, '0' no, 'd' as the deployment has it. */
  notify: '1' | '0' | 'd';
  keys: PayoutKeys['controls'];
  outbox: string;
  audit: string;
  now: () => number;
}

export function createPauses(deps: {
  redis: Redis;
  queuePrefix: string;
  /** The payout queue, whose jobs resuming wakes. */
  queue: Queue<PayoutJobData>;
  logger: Logger;
  /** Whether pauses and resumes are notified (NOTIFY_URL set). */
  notify: boolean;
  /** The CLI: notified also when the deployment's service has NOTIFY_URL (payout/deployment.ts). */
  followDeployment?: boolean;
  now?: () => number;
}) {
  const ctx: PausesContext = {
    redis: deps.redis,
    queue: deps.queue,
    logger: deps.logger,
    notify: deps.notify ? '1' : deps.followDeployment ? 'd' : '0',
    keys: payoutKeys(deps.queuePrefix).controls,
    outbox: payoutKeys(deps.queuePrefix).outbox,
    audit: auditKey(deps.queuePrefix),
    now: deps.now ?? Date.now,
  };
  const pauseOf = (paymentSystem: string) => pauseOfSystem(ctx, paymentSystem);

  return {
    list: () => list(ctx),
    pauseOf,
    /** True while a pause covers the payment_system (its own, or `*`). */
    isPaused: async (paymentSystem: string) => (await pauseOf(paymentSystem)) !== undefined,
    /** Pauses sending to a payment_system (or to all, `*`); pausing again replaces the note. */
    pause: (paymentSystem: string, by: ChangeBy) => pause(ctx, paymentSystem, by),
    /**
     * Ends the pause of a payment_system, or every pause (`*`), and wakes the payouts no pause holds
     * any longer. A system also covered by a pause of `*` stays paused until that one ends.
     */
    resume: (paymentSystem: string, by: ChangeBy) => resume(ctx, paymentSystem, by),
    /** How many payouts a pause holds (noted by the claims that found them paused). */
    heldCount: () => ctx.redis.hlen(ctx.keys.held),
  };
}

async function list(ctx: PausesContext): Promise<Pause[]> {
  const all = await ctx.redis.hgetall(ctx.keys.paused);
  return Object.entries(all)
    .map(([system, raw]) => decodePause(system, raw))
    .sort((a, b) => a.payment_system.localeCompare(b.payment_system));
}

/** The pause that holds a payment_system's payouts: its own, or the one of every system. */
async function pauseOfSystem(ctx: PausesContext, paymentSystem: string): Promise<Pause | undefined> {
  const [own, all] = await ctx.redis.hmget(ctx.keys.paused, paymentSystem, ALL_SYSTEMS);
  if (own) return decodePause(paymentSystem, own);
  if (all) return decodePause(ALL_SYSTEMS, all);
  return undefined;
}

async function pause(
  ctx: PausesContext,
  paymentSystem: string,
  by: ChangeBy,
): Promise<{ before: Pause | null; after: Pause }> {
  const at = ctx.now();
  const stored = { since: new Date(at).toISOString(), by: by.who, ...(by.note ? { note: by.note } : {}) };
  const after: Pause = { payment_system: paymentSystem, ...stored };
  const event = controlEvent('payment_system.paused', at, {
    payment_system: paymentSystem,
    pause: after,
  });
  const before = (await runScript(
    ctx.redis,
    PAUSE,
    3,
    ctx.keys.paused,
    ctx.outbox,
    ctx.audit,
    paymentSystem,
    JSON.stringify(stored),
    ctx.notify,
    event,
    ...auditFields(
      {
        who: by.who,
        via: by.via ?? 'api',
        action: 'controls.pause',
        target: paymentSystem,
        note: by.note,
      },
      at,
    ),
  )) as string | null;
  ctx.logger.warn(
    { payment_system: paymentSystem, who: by.who, note: by.note },
    paymentSystem === ALL_SYSTEMS
      ? 'every payment_system paused: no payout is sent until resumed'
      : `payment_system ${paymentSystem} paused: its payouts are not sent until resumed`,
  );
  return { before: before ? decodePause(paymentSystem, before) : null, after };
}

async function resume(
  ctx: PausesContext,
  paymentSystem: string,
  by: ChangeBy,
): Promise<{ removed: Pause[]; remaining: Pause[]; woken: number }> {
  const at = ctx.now();
  const event = controlEvent('payment_system.resumed', at, {
    payment_system: paymentSystem,
    by: by.who,
    ...(by.note ? { note: by.note } : {}),
  });
  const flat = (await runScript(
    ctx.redis,
    RESUME,
    3,
    ctx.keys.paused,
    ctx.outbox,
    ctx.audit,
    paymentSystem,
    ctx.notify,
    event,
    ...auditFields(
      {
        who: by.who,
        via: by.via ?? 'api',
        action: 'controls.resume',
        target: paymentSystem,
        note: by.note,
      },
      at,
    ),
  )) as string[];
  const removed: Pause[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) removed.push(decodePause(flat[i]!, flat[i + 1]!));
  const remaining = await list(ctx);
  const woken = await wakeHeld(
    { redis: ctx.redis, queue: ctx.queue, held: ctx.keys.held },
    new Set(remaining.map((p) => p.payment_system)),
  );
  if (removed.length === 0) return { removed, remaining, woken };
  ctx.logger.warn(
    {
      payment_system: paymentSystem,
      who: by.who,
      note: by.note,
      removed: removed.map((p) => p.payment_system),
      still_paused: remaining.map((p) => p.payment_system),
      woken,
    },
    `payment_system ${paymentSystem} resumed`,
  );
  return { removed, remaining, woken };
}
