import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { type PayoutKeys, payoutKeys } from '../payout/keys.js';
import { runScript } from '../redis.js';
import type { BreakerSignal } from '../worker/decide.js';
import { RECORD_ATTEMPT } from './breaker-script.js';
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
 * The state is one Redis hash under QUEUE_PREFIX (keys.ts), shared by every worker; the script that
 * counts an attempt is in breaker-script.ts.
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

type BreakerChange = 'opened' | 'reopened' | 'closed';

/** What the breakers work with. */
interface BreakersContext {
  redis: Redis;
  settings: BreakerSettings;
  logger: Logger;
  notify: boolean;
  onChange?: (paymentSystem: string, change: BreakerChange) => void;
  keys: PayoutKeys;
  now: () => number;
}

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
  const ctx: BreakersContext = { ...deps, keys: payoutKeys(deps.queuePrefix), now: deps.now ?? Date.now };
  return {
    settings: deps.settings,
    list: () => list(ctx),
    /** The breaker of one payment_system (closed when nothing is recorded for it). */
    of: (paymentSystem: string) => breakerOf(ctx, paymentSystem),
    /** Counts one attempt's signal; opens or closes the breaker as it says. */
    attempted: (paymentSystem: string, signal: BreakerSignal, externalId: string) =>
      attempted(ctx, paymentSystem, signal, externalId),
  };
}

/** Every payment_system whose breaker is not closed, or is counting a run of failures. */
async function list(ctx: BreakersContext): Promise<BreakerView[]> {
  const all = await ctx.redis.hgetall(ctx.keys.controls.breakers);
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

async function breakerOf(ctx: BreakersContext, paymentSystem: string): Promise<BreakerView> {
  const values = await ctx.redis.hmget(
    ctx.keys.controls.breakers,
    ...BREAKER_FIELDS.map((name) => `${name}:${paymentSystem}`),
  );
  const fields: Record<string, string> = {};
  for (const [i, name] of BREAKER_FIELDS.entries()) if (values[i]) fields[name] = values[i]!;
  return viewOf(paymentSystem, fields);
}

async function attempted(
  ctx: BreakersContext,
  paymentSystem: string,
  signal: BreakerSignal,
  externalId: string,
): Promise<void> {
  const { settings } = ctx;
  const at = ctx.now();
  const untilIso = new Date(at + settings.cooldownMs).toISOString();
  const [change, failures] = (await runScript(
    ctx.redis,
    RECORD_ATTEMPT,
    2,
    ctx.keys.controls.breakers,
    ctx.keys.outbox,
    paymentSystem,
    signal,
    String(at),
    String(settings.threshold),
    String(settings.windowMs),
    String(settings.cooldownMs),
    ctx.notify ? '1' : '0',
    // Each attempt counts here: an event is written out only when it can be pushed, and only the
    // one this signal can cause (no answer opens a breaker, an answer closes it).
    ctx.notify && signal === 'no_answer'
      ? controlEvent('payment_system.breaker_opened', at, {
          payment_system: paymentSystem,
          breaker: { state: 'open', consecutive_failures: settings.threshold, until: untilIso },
        })
      : '',
    ctx.notify && signal === 'answered'
      ? controlEvent('payment_system.breaker_closed', at, {
          payment_system: paymentSystem,
          breaker: { state: 'closed', closed_by: externalId },
        })
      : '',
  )) as [string, number];
  if (change === '') return;
  logChange(ctx.logger, change as BreakerChange, { paymentSystem, externalId, failures, untilIso });
  ctx.onChange?.(paymentSystem, change as BreakerChange);
}

function logChange(
  logger: Logger,
  change: BreakerChange,
  c: { paymentSystem: string; externalId: string; failures: number; untilIso: string },
): void {
  const { paymentSystem, failures, untilIso } = c;
  const context = {
    payment_system: paymentSystem,
    external_id: c.externalId,
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
}
