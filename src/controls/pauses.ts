import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { jobIdFor } from '../methods/index.js';
import { AUDIT_XADD, type AuditVia, auditFields, auditKey } from '../operators/audit.js';
import { payoutKeys } from '../payout/keys.js';
import { ensurePayoutJob, type PayoutJobData } from '../queues.js';
import { runScript } from '../redis.js';
import { controlEvent } from './events.js';

/**
 * The kill switch: sending to one payment_system, or to all (`*`), is paused. The pause lives in Redis
 * under QUEUE_PREFIX, so it survives restarts and every worker obeys it. A worker's claim consults it
 * (the claim rule's `heldByControls`, payout/scripts.ts): a payout of a paused system stays as it is,
 * queued or retry_scheduled, no attempt counted, and is noted as held; resuming wakes the held payouts
 * of the systems no pause covers any longer, each of which the claim then sends once.
 */

/** `*`: every payment_system. */
export const ALL_SYSTEMS = '*';

export interface Pause {
  payment_system: string;
  since: string;
  by: string;
  note?: string;
}

export interface ChangeBy {
  who: string;
  /** The API (an operator's credential) or the CLI (the OS user). @defaultValue 'api' */
  via?: AuditVia;
  note?: string | undefined;
}

/** The pauses in force as the audit log keeps them (before and after): `{payment_system: pause}`. */
const PAUSES_JSON = `
local function pauses_json(flat)
  if #flat == 0 then return '{}' end
  local parts = {}
  for i = 1, #flat, 2 do parts[#parts + 1] = cjson.encode(flat[i]) .. ':' .. flat[i + 1] end
  return '{' .. table.concat(parts, ',') .. '}'
end
`;

/**
 * KEYS: paused, outbox, audit. ARGV: 1 payment_system, 2 the pause (JSON), 3 push the event ('1'),
 * 4 the event, audit fields... Returns the pause it replaced, or false. The change and its audit entry
 * (every pause before and after) are one step.
 */
const PAUSE = `${AUDIT_XADD}${PAUSES_JSON}
local before = redis.call('HGETALL', KEYS[1])
local replaced = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[3], fields, pauses_json(before), pauses_json(redis.call('HGETALL', KEYS[1])))
return replaced
`;

/**
 * KEYS: paused, outbox, audit. ARGV: 1 payment_system (`*` removes every pause), 2 push the event
 * ('1'), 3 the event, audit fields... Returns the pauses removed, flat (system, pause, ...).
 */
const RESUME = `${AUDIT_XADD}${PAUSES_JSON}
local before = redis.call('HGETALL', KEYS[1])
local removed = {}
if ARGV[1] == '*' then
  removed = before
  redis.call('DEL', KEYS[1])
else
  local p = redis.call('HGET', KEYS[1], ARGV[1])
  if p then
    removed = {ARGV[1], p}
    redis.call('HDEL', KEYS[1], ARGV[1])
  end
end
if #removed > 0 and ARGV[2] == '1' then redis.call('RPUSH', KEYS[2], ARGV[3]) end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
audit(KEYS[3], fields, pauses_json(before), pauses_json(redis.call('HGETALL', KEYS[1])))
return removed
`;

/** Held payouts read and woken per round while resuming. */
const WAKE_BATCH = 200;

export type Pauses = ReturnType<typeof createPauses>;

export function createPauses(deps: {
  redis: Redis;
  queuePrefix: string;
  /** The payout queue, whose jobs resuming wakes. */
  queue: Queue<PayoutJobData>;
  logger: Logger;
  /** Whether pauses and resumes are notified (NOTIFY_URL set). */
  notify: boolean;
  now?: () => number;
}) {
  const { redis, logger } = deps;
  const keys = payoutKeys(deps.queuePrefix).controls;
  const outbox = payoutKeys(deps.queuePrefix).outbox;
  const audit = auditKey(deps.queuePrefix);
  const now = deps.now ?? Date.now;

  const decode = (system: string, raw: string): Pause => ({
    ...(JSON.parse(raw) as Omit<Pause, 'payment_system'>),
    payment_system: system,
  });

  async function list(): Promise<Pause[]> {
    const all = await redis.hgetall(keys.paused);
    return Object.entries(all)
      .map(([system, raw]) => decode(system, raw))
      .sort((a, b) => a.payment_system.localeCompare(b.payment_system));
  }

  /** The pause that holds a payment_system's payouts: its own, or the one of every system. */
  async function pauseOf(paymentSystem: string): Promise<Pause | undefined> {
    const [own, all] = await redis.hmget(keys.paused, paymentSystem, ALL_SYSTEMS);
    if (own) return decode(paymentSystem, own);
    if (all) return decode(ALL_SYSTEMS, all);
    return undefined;
  }

  /**
   * Wakes one held payout: its job runs now (it waits, parked, in the delayed set; or it has finished
   * and one is added). Always safe: the claim decides whether anything is sent.
   */
  async function wake(externalId: string): Promise<void> {
    const job = await deps.queue.getJob(jobIdFor(externalId));
    if (job && (await job.getState()) === 'delayed') {
      // Lost to a job that moved on meanwhile: then it runs anyway.
      await job.promote().catch(() => undefined);
      return;
    }
    await ensurePayoutJob(deps.queue, externalId);
  }

  /** Wakes every held payout that no remaining pause covers; returns how many. */
  async function wakeHeld(remaining: Set<string>): Promise<number> {
    if (remaining.has(ALL_SYSTEMS)) return 0;
    let woken = 0;
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(keys.held, cursor, 'COUNT', WAKE_BATCH);
      cursor = next;
      const ids: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) if (!remaining.has(flat[i + 1]!)) ids.push(flat[i]!);
      await Promise.all(ids.map(wake));
      // Only once its job is woken: a resume cut short leaves the rest held, for the next resume or
      // the parked job's own re-check.
      if (ids.length > 0) await redis.hdel(keys.held, ...ids);
      woken += ids.length;
    } while (cursor !== '0');
    return woken;
  }

  return {
    list,
    pauseOf,
    /** True while a pause covers the payment_system (its own, or `*`). */
    isPaused: async (paymentSystem: string) => (await pauseOf(paymentSystem)) !== undefined,

    /** Pauses sending to a payment_system (or to all, `*`); pausing again replaces the note. */
    async pause(paymentSystem: string, by: ChangeBy): Promise<{ before: Pause | null; after: Pause }> {
      const at = now();
      const stored = { since: new Date(at).toISOString(), by: by.who, ...(by.note ? { note: by.note } : {}) };
      const after: Pause = { payment_system: paymentSystem, ...stored };
      const event = controlEvent('payment_system.paused', at, {
        payment_system: paymentSystem,
        pause: after,
      });
      const before = (await runScript(
        redis,
        PAUSE,
        3,
        keys.paused,
        outbox,
        audit,
        paymentSystem,
        JSON.stringify(stored),
        deps.notify ? '1' : '0',
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
      logger.warn(
        { payment_system: paymentSystem, who: by.who, note: by.note },
        paymentSystem === ALL_SYSTEMS
          ? 'every payment_system paused: no payout is sent until resumed'
          : `payment_system ${paymentSystem} paused: its payouts are not sent until resumed`,
      );
      return { before: before ? decode(paymentSystem, before) : null, after };
    },

    /**
     * Ends the pause of a payment_system, or every pause (`*`), and wakes the payouts no pause holds
     * any longer. A system also covered by a pause of `*` stays paused until that one ends.
     */
    async resume(
      paymentSystem: string,
      by: ChangeBy,
    ): Promise<{ removed: Pause[]; remaining: Pause[]; woken: number }> {
      const at = now();
      const event = controlEvent('payment_system.resumed', at, {
        payment_system: paymentSystem,
        by: by.who,
        ...(by.note ? { note: by.note } : {}),
      });
      const flat = (await runScript(
        redis,
        RESUME,
        3,
        keys.paused,
        outbox,
        audit,
        paymentSystem,
        deps.notify ? '1' : '0',
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
      for (let i = 0; i + 1 < flat.length; i += 2) removed.push(decode(flat[i]!, flat[i + 1]!));
      const remaining = await list();
      const woken = await wakeHeld(new Set(remaining.map((p) => p.payment_system)));
      if (removed.length === 0) return { removed, remaining, woken };
      logger.warn(
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
    },

    /** How many payouts a pause holds (noted by the claims that found them paused). */
    heldCount: () => redis.hlen(keys.held),
  };
}
