import type { Redis } from 'ioredis';
import type { Currencies } from '../currency/index.js';
import { ConflictError, PayoutError, ValidationError } from '../errors.js';
import {
  type GatewayOutcome,
  type GatewayStatusCode,
  type StatusMeaning,
  statusMeaning,
} from '../gateway/outcome.js';
import type { Logger } from '../logger.js';
import { type GatewayRequest, maskPaymentData, validateDepositRequest } from '../methods/index.js';
import { differences, type GatewayReport } from '../payout/gateway-report.js';
import { payoutKeys } from '../payout/keys.js';
import { canonicalJson, isDigestOf, type PayloadKeys, requestDigest } from '../payout/sealing.js';
import { isRedisUnavailable, runScript } from '../redis.js';

/**
 * Deposits: synchronous. Validate, record, call the gateway, answer with the player's redirect.
 * Only what was certainly not sent is sent again (within the request, or on a repeated request);
 * an unknown outcome is reported as unknown and never silently retried. The cvv is never stored:
 * not in the record, not in the digest, not in a log.
 */

export const DEPOSIT_STATES = [
  'sending',
  'not_sent',
  'submitted',
  'succeeded',
  'failed',
  'rejected',
  'unknown',
] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];

/** The deposit's own transition table: state it moves to <- states it may come from ('' = new). */
const DEPOSIT_TRANSITIONS: Record<DepositState, readonly (DepositState | '')[]> = {
  sending: ['', 'not_sent'],
  not_sent: ['sending'],
  rejected: ['sending'],
  submitted: ['sending', 'unknown'],
  succeeded: ['sending', 'submitted', 'unknown'],
  failed: ['sending', 'submitted', 'unknown'],
  unknown: ['sending', 'submitted'],
};

/**
 * Pushes the entry just appended (its seq: the history's new length) to the ledger's outbox, named as
 * the script's last key only when the ledger is on.
 */
const PUSH_LEDGER = `
local function push_ledger(ledger_key, id, seq, at)
  if ledger_key then
    redis.call('RPUSH', ledger_key, cjson.encode({kind = 'deposit', external_id = id, seq = seq, at = tonumber(at)}))
  end
end
`;

/**
 * KEYS: record, history[, ledger outbox]. ARGV: allowed (',a,b,'; ',,' allows absent), to, now, entry
 * JSON, external_id, pairs...
 */
const MOVE = `${PUSH_LEDGER}
local cur = redis.call('HGET', KEYS[1], 'status') or ''
if not string.find(ARGV[1], ',' .. cur .. ',', 1, true) then return {0, cur} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updated_at', ARGV[3])
if cur == '' then redis.call('HSET', KEYS[1], 'created_at', ARGV[3]) end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local entry = cjson.decode(ARGV[4])
entry['from'] = cur
entry['to'] = ARGV[2]
push_ledger(KEYS[3], ARGV[5], redis.call('RPUSH', KEYS[2], cjson.encode(entry)), ARGV[3])
return {1, cur}
`;

/** Appends a history entry without a move (a contradiction). KEYS: history[, ledger outbox]. ARGV: entry JSON, external_id, now. */
const NOTE = `${PUSH_LEDGER}
push_ledger(KEYS[2], ARGV[2], redis.call('RPUSH', KEYS[1], ARGV[1]), ARGV[3])
`;

const DEPOSIT_STATE_FOR: Record<StatusMeaning, DepositState> = {
  pending: 'submitted',
  success: 'succeeded',
  failure: 'failed',
  unknown: 'unknown',
};

/** Sends that certainly did not arrive are tried this many times within one request. */
const IN_REQUEST_ATTEMPTS = 3;
const IN_REQUEST_PAUSE_MS = 200;

/** The longest a deposit's request can keep it `sending`: every try timing out, plus a margin. */
export const depositSendWindowMs = (gateway: { connectTimeoutMs: number; timeoutMs: number }) =>
  IN_REQUEST_ATTEMPTS * (gateway.connectTimeoutMs + gateway.timeoutMs + IN_REQUEST_PAUSE_MS) + 10_000;

export interface DepositSender {
  deposit(request: GatewayRequest): Promise<GatewayOutcome>;
}

export interface DepositView {
  external_id: string;
  method: string;
  status: DepositState;
  gateway_status: number | null;
  order_id: string | null;
  redirect: string | null;
  amount: number;
  currency: string;
  payment_data: Record<string, string>;
  created_at: string;
  updated_at: string;
}

/** A deposit's outcome the caller must hear about as an error (502 unknown, 503 not sent, 409, 422). */
export class DepositOutcomeError extends PayoutError {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function createDeposits(deps: {
  redis: Redis;
  queuePrefix: string;
  payloadKeys: PayloadKeys;
  gateway: DepositSender;
  logger: Logger;
  onContradiction?: (externalId: string) => void;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
  /**
   * How long a deposit may stay `sending` while its request runs (every in-request try, timeouts
   * included). One `sending` for longer was cut off before its outcome was written (a crash, Redis
   * lost): it is answered as unknown, never as still in progress. @defaultValue 120000
   */
  sendWindowMs?: number;
  /** The deployment's currency rules (`config.currencies`); @defaultValue the rules of unset settings */
  currencies?: Currencies;
}) {
  const base = deps.queuePrefix;
  const sendWindowMs = deps.sendWindowMs ?? 120_000;
  const recordKey = (id: string) => `${base}:deposit:${id}`;
  // The id last, as for payouts (payout/keys.ts): no deposit's id can name another deposit's key.
  const historyKey = (id: string) => `${base}:deposit-history:${id}`;
  /** The ledger's outbox as the scripts' last key, or no key at all without a ledger. */
  const ledgerKeys = deps.ledger ? [payoutKeys(base).ledgerOutbox] : [];

  async function move(
    id: string,
    to: DepositState,
    entry: Record<string, unknown>,
    fields: Record<string, string> = {},
  ) {
    const allowed = `,${DEPOSIT_TRANSITIONS[to].join(',')},`;
    const now = Date.now();
    const res = (await runScript(
      deps.redis,
      MOVE,
      2 + ledgerKeys.length,
      recordKey(id),
      historyKey(id),
      ...ledgerKeys,
      allowed,
      to,
      String(now),
      JSON.stringify({ at: new Date(now).toISOString(), ...entry }),
      id,
      ...Object.entries(fields).flat(),
    )) as [number, string];
    if (res[0] === 1)
      deps.logger.info(
        { external_id: id, from: res[1] || null, to, kind: 'deposit' },
        `deposit ${res[1] || 'new'} -> ${to}`,
      );
    return { ok: res[0] === 1, current: (res[1] || undefined) as DepositState | undefined };
  }

  async function get(id: string): Promise<DepositView | undefined> {
    const h = await deps.redis.hgetall(recordKey(id));
    if (!h.status) return undefined;
    return {
      external_id: id,
      method: h.method ?? '',
      status: h.status as DepositState,
      gateway_status: h.gateway_status ? Number(h.gateway_status) : null,
      order_id: h.order_id ?? null,
      redirect: h.redirect ?? null,
      amount: Number(h.amount),
      currency: h.currency ?? '',
      payment_data: JSON.parse(h.masked ?? '{}') as Record<string, string>,
      created_at: new Date(Number(h.created_at)).toISOString(),
      updated_at: new Date(Number(h.updated_at)).toISOString(),
    };
  }

  const stateFor = (status: GatewayStatusCode): DepositState => DEPOSIT_STATE_FOR[statusMeaning(status)];

  /** A deposit sent whose outcome was never written: the gateway may have created it. */
  const outcomeNotRecorded = () =>
    new DepositOutcomeError(
      'gateway_outcome_unknown',
      502,
      'the outcome of this deposit was not recorded, and the gateway may have created it; it is not retried. Check its status later.',
    );

  /** Answers for a deposit whose outcome is settled one way or another. */
  function answer(view: DepositView): DepositView {
    switch (view.status) {
      case 'rejected':
        throw new DepositOutcomeError('gateway_rejected', 422, 'the gateway refused this deposit');
      case 'unknown':
        throw new DepositOutcomeError(
          'gateway_outcome_unknown',
          502,
          'the gateway may or may not have created this deposit; it is not retried. Check its status later.',
        );
      case 'sending':
        if (Date.now() - Date.parse(view.updated_at) > sendWindowMs) throw outcomeNotRecorded();
        throw new DepositOutcomeError('deposit_in_progress', 409, 'this deposit is being sent right now');
      case 'not_sent':
        throw new DepositOutcomeError(
          'gateway_unavailable',
          503,
          'the gateway could not be reached; nothing was sent. Try again.',
          5,
        );
      default:
        return view;
    }
  }

  async function create(input: unknown): Promise<{ created: boolean; deposit: DepositView }> {
    const valid = validateDepositRequest(input, deps.currencies);
    if (!valid.ok) throw new ValidationError(valid.issues);
    const { method, request } = valid;
    const id = request.external_id;
    const { cvv: _cvv, ...withoutCvv } = request.payment_data ?? {};
    const canonical = canonicalJson({ method, request: { ...request, payment_data: withoutCvv } });
    const digest = requestDigest(deps.payloadKeys, canonical);

    const existing = await deps.redis.hget(recordKey(id), 'digest');
    if (existing !== null && !isDigestOf(deps.payloadKeys, canonical, existing)) throw new ConflictError(id);
    const started = await move(
      id,
      'sending',
      { event: 'send', actor: 'producer' },
      {
        digest,
        method,
        amount: String(request.amount),
        currency: request.currency,
        masked: JSON.stringify(maskPaymentData(method, request.payment_data ?? {})),
      },
    );
    if (!started.ok) {
      // Already sent (or being sent): answer what we know, never send again.
      const view = await get(id);
      if (!view) throw new Error(`deposit ${id} vanished`);
      return { created: false, deposit: answer(view) };
    }

    let outcome: GatewayOutcome | undefined;
    for (let attempt = 1; attempt <= IN_REQUEST_ATTEMPTS; attempt++) {
      outcome = await deps.gateway.deposit(request);
      // Only a request that certainly never arrived is sent again.
      if (outcome.kind !== 'not_sent' && outcome.kind !== 'retry_later') break;
      if (attempt < IN_REQUEST_ATTEMPTS)
        await new Promise((r) => setTimeout(r, IN_REQUEST_PAUSE_MS * attempt));
    }
    let view: DepositView | undefined;
    try {
      await settle(id, outcome!);
      view = await get(id);
    } catch (err) {
      // Never "nothing was accepted, try again" (a 503): a try may have reached the gateway.
      if (!isRedisUnavailable(err)) throw err;
      deps.logger.error(
        { external_id: id, outcome: outcome!.kind, err, kind: 'deposit' },
        'the outcome of a deposit could not be recorded; it may have reached the gateway',
      );
      throw outcomeNotRecorded();
    }
    if (!view) throw new Error(`deposit ${id} vanished`);
    return { created: true, deposit: answer(view) };
  }

  async function settle(id: string, outcome: GatewayOutcome): Promise<void> {
    const actor = { actor: 'producer' };
    switch (outcome.kind) {
      case 'accepted':
      case 'final':
      case 'unknown_status': {
        const a = outcome.answer;
        await move(
          id,
          stateFor(a.status),
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
        await move(id, 'not_sent', { event: outcome.kind, ...actor, reason: outcome.kind });
        return;
      case 'rejected':
        await move(id, 'rejected', {
          event: 'rejected',
          ...actor,
          reason: `HTTP ${outcome.httpStatus} ${outcome.code}`,
        });
        return;
      case 'duplicate':
      case 'unknown':
        await move(id, 'unknown', {
          event: outcome.kind,
          ...actor,
          reason: outcome.kind === 'unknown' ? outcome.code : 'duplicate',
        });
        return;
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /** Records a callback that contradicts the deposit in its history, logs and raises it; nothing moves. */
  async function raise(id: string, current: DepositState, report: GatewayReport, reason: string) {
    const now = Date.now();
    await runScript(
      deps.redis,
      NOTE,
      1 + ledgerKeys.length,
      historyKey(id),
      ...ledgerKeys,
      JSON.stringify({
        at: new Date(now).toISOString(),
        event: 'gateway_report',
        actor: 'callback',
        contradiction: true,
        from: current,
        to: current,
        gateway_status: report.status,
        reason,
      }),
      id,
      String(now),
    );
    deps.logger.error(
      { external_id: id, current, gateway_status: report.status, kind: 'deposit', reason },
      'CONTRADICTION: a callback contradicts a deposit; recorded, not applied',
    );
    deps.onContradiction?.(id);
    return 'contradiction' as const;
  }

  /**
   * A type-1 callback: moves the deposit, or records a contradiction without applying it (another
   * final result for a terminal deposit, any report of one never sent or refused, or another amount,
   * currency or order than the deposit's).
   */
  async function applyReport(id: string, report: GatewayReport) {
    if (report.payout) {
      const h = await deps.redis.hgetall(recordKey(id));
      if (!h.status) return 'unknown_deposit' as const;
      const own = { amount: h.amount ?? '', currency: h.currency ?? '', orderId: h.order_id };
      const differ = differences(own, report);
      if (differ.length > 0) {
        return raise(
          id,
          h.status as DepositState,
          report,
          `callback about another deposit: ${differ.join(', ')} differ`,
        );
      }
    }
    const to = stateFor(report.status);
    const moved = await move(
      id,
      to,
      { event: 'gateway_report', actor: 'callback', gateway_status: report.status },
      {
        gateway_status: String(report.status),
        ...(report.orderId ? { order_id: report.orderId } : {}),
      },
    );
    if (moved.ok) return 'applied' as const;
    if (moved.current === undefined) return 'unknown_deposit' as const;
    // The casino was told "nothing was sent" (not_sent) or "refused" (rejected): any report of it says
    // the gateway has it after all.
    const contradiction =
      moved.current === 'not_sent' ||
      moved.current === 'rejected' ||
      (moved.current === 'succeeded' && to === 'failed') ||
      (moved.current === 'failed' && to === 'succeeded');
    if (!contradiction) return 'unchanged' as const;
    return raise(
      id,
      moved.current,
      report,
      `callback reported status ${report.status} for a deposit that is ${moved.current}`,
    );
  }

  return { create, get, applyReport };
}

export type Deposits = ReturnType<typeof createDeposits>;
