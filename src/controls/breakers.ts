import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { payoutKeys } from '../payout/keys.js';
import { runScript } from '../redis.js';
import type { BreakerSignal } from '../worker/decide.js';
import { controlEvent } from './events.js';

/**
 * A circuit breaker per payment_system. Every attempt's `breaker` signal, from the one decision
 * (worker/decide.ts), is counted here: `threshold` attempts in a row that reached no answer (not sent,
 * 429/503, unknown), the first within `windowMs` of the last, open the breaker. While it is open a
 * claim of that system's payouts is refused (payout/scripts.ts), so they wait as they are, queued or
 * retry_scheduled, and no attempt is counted; nothing fails because of it. After `cooldownMs` the
 * first claim goes through as the probe (the breaker is half open: the others keep waiting); an
 * answer closes the breaker, no answer opens it for another cool-down. Any answer while it is open
 * (from a request already in flight when it opened) closes it too: that system answers.
 *
 * The state is one Redis hash under QUEUE_PREFIX (keys.ts), shared by every worker.
 */

export interface BreakerSettings {
  /** Attempts in a row without an answer that open the breaker; 0 turns the breakers off. */
  threshold: number;
  /** The run counts only while its first attempt is at most this old (ms). */
  windowMs: number;
  /** How long an open breaker holds its system's payouts before one probes (ms). */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerView {
  payment_system: string;
  state: BreakerState;
  /** Attempts in a row that reached no answer (the run that opened it, or the current one). */
  consecutive_failures: number;
  opened_at: string | null;
  /** End of the cool-down (open), or of the probe's turn (half_open). */
  until: string | null;
  /** The payout probing, while half open. */
  probe: string | null;
}

/**
 * KEYS: breakers, outbox. ARGV: 1 payment_system, 2 signal (`answered` | `no_answer`), 3 now,
 * 4 threshold, 5 window ms, 6 cool-down ms, 7 push events ('1'), 8 the opened event, 9 the closed event.
 * Returns {change ('opened' | 'reopened' | 'closed' | ''), failures}.
 */
const RECORD_ATTEMPT = `
local ps = ARGV[1]
local now = tonumber(ARGV[3])
local function f(name) return name .. ':' .. ps end
local b = redis.call('HMGET', KEYS[1], f('state'), f('failures'), f('window_start'))
local state = b[1]
if ARGV[2] == 'answered' then
  local failures = tonumber(b[2] or '0') or 0
  redis.call('HDEL', KEYS[1], f('failures'), f('window_start'))
  if not state then return {'', 0} end
  redis.call('HDEL', KEYS[1], f('state'), f('until'), f('cooldown'), f('probe'), f('opened_at'))
  if ARGV[7] == '1' then redis.call('RPUSH', KEYS[2], ARGV[9]) end
  return {'closed', failures}
end
local threshold = tonumber(ARGV[4])
if threshold <= 0 then return {'', 0} end
local failures = tonumber(b[2] or '0') or 0
local start = tonumber(b[3] or '0') or 0
if failures == 0 or now - start > tonumber(ARGV[5]) then
  failures = 0
  start = now
end
failures = failures + 1
redis.call('HSET', KEYS[1], f('failures'), failures, f('window_start'), start)
local untilAt = string.format('%.0f', now + tonumber(ARGV[6]))
if state == 'half_open' then
  redis.call('HSET', KEYS[1], f('state'), 'open', f('until'), untilAt, f('cooldown'), ARGV[6])
  redis.call('HDEL', KEYS[1], f('probe'))
  return {'reopened', failures}
end
if state == 'open' or failures < threshold then return {'', failures} end
redis.call('HSET', KEYS[1], f('state'), 'open', f('until'), untilAt, f('cooldown'), ARGV[6],
  f('opened_at'), ARGV[3])
if ARGV[7] == '1' then redis.call('RPUSH', KEYS[2], ARGV[8]) end
return {'opened', failures}
`;

const BREAKER_FIELDS = ['state', 'failures', 'opened_at', 'until', 'probe'] as const;

const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);

function viewOf(system: string, f: Record<string, string>): BreakerView {
  return {
    payment_system: system,
    state: (f.state ?? 'closed') as BreakerState,
    consecutive_failures: Number(f.failures ?? 0),
    opened_at: f.state ? iso(f.opened_at) : null,
    until: f.state ? iso(f.until) : null,
    probe: f.state === 'half_open' ? (f.probe ?? null) : null,
  };
}

export type Breakers = ReturnType<typeof createBreakers>;

export function createBreakers(deps: {
  redis: Redis;
  queuePrefix: string;
  settings: BreakerSettings;
  logger: Logger;
  /** Whether opening and closing are notified (NOTIFY_URL set). */
  notify: boolean;
  /** Called when a breaker opens, opens again after a failed probe, or closes (e.g. for metrics). */
  onChange?: (paymentSystem: string, change: 'opened' | 'reopened' | 'closed') => void;
  now?: () => number;
}) {
  const { redis, logger, settings } = deps;
  const keys = payoutKeys(deps.queuePrefix);
  const now = deps.now ?? Date.now;

  /** Every payment_system whose breaker is not closed, or is counting a run of failures. */
  async function list(): Promise<BreakerView[]> {
    const all = await redis.hgetall(keys.controls.breakers);
    const bySystem = new Map<string, Record<string, string>>();
    for (const [field, value] of Object.entries(all)) {
      const colon = field.indexOf(':');
      const system = field.slice(colon + 1);
      const fields = bySystem.get(system) ?? {};
      fields[field.slice(0, colon)] = value;
      bySystem.set(system, fields);
    }
    return [...bySystem.entries()]
      .map(([system, f]) => viewOf(system, f))
      .sort((a, b) => a.payment_system.localeCompare(b.payment_system));
  }

  return {
    settings,
    list,

    /** The breaker of one payment_system (closed when nothing is recorded for it). */
    async of(paymentSystem: string): Promise<BreakerView> {
      const values = await redis.hmget(
        keys.controls.breakers,
        ...BREAKER_FIELDS.map((name) => `${name}:${paymentSystem}`),
      );
      const fields: Record<string, string> = {};
      for (const [i, name] of BREAKER_FIELDS.entries()) if (values[i]) fields[name] = values[i]!;
      return viewOf(paymentSystem, fields);
    },

    /** Counts one attempt's signal; opens or closes the breaker as it says. */
    async attempted(paymentSystem: string, signal: BreakerSignal, externalId: string): Promise<void> {
      const at = now();
      const untilIso = new Date(at + settings.cooldownMs).toISOString();
      const [change, failures] = (await runScript(
        redis,
        RECORD_ATTEMPT,
        2,
        keys.controls.breakers,
        keys.outbox,
        paymentSystem,
        signal,
        String(at),
        String(settings.threshold),
        String(settings.windowMs),
        String(settings.cooldownMs),
        deps.notify ? '1' : '0',
        controlEvent('payment_system.breaker_opened', at, {
          payment_system: paymentSystem,
          breaker: { state: 'open', consecutive_failures: settings.threshold, until: untilIso },
        }),
        controlEvent('payment_system.breaker_closed', at, {
          payment_system: paymentSystem,
          breaker: { state: 'closed', closed_by: externalId },
        }),
      )) as [string, number];
      if (change === '') return;
      const context = {
        payment_system: paymentSystem,
        external_id: externalId,
        consecutive_failures: failures,
      };
      if (change === 'opened') {
        logger.error(
          { ...context, until: untilIso },
          `circuit breaker of ${paymentSystem} opened: ${failures} attempts in a row reached no answer; its payouts wait, one probes after the cool-down`,
        );
      } else if (change === 'reopened') {
        logger.warn(
          { ...context, until: untilIso },
          `circuit breaker of ${paymentSystem} stays open: the probe reached no answer`,
        );
      } else {
        logger.warn(context, `circuit breaker of ${paymentSystem} closed: the gateway answered`);
      }
      deps.onChange?.(paymentSystem, change as 'opened' | 'reopened' | 'closed');
    },
  };
}
