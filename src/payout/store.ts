import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type Currencies, showAmount } from '../currency/index.js';
import type { Logger } from '../logger.js';
import type { GatewayRequest, MethodId } from '../methods/index.js';
import { runScript } from '../redis.js';
import { listContradicted, readContradictions } from './contradictions.js';
import { CREATE } from './create-script.js';
import { createDurabilityGuard, type DurabilitySetting } from './durability.js';
import { decodeEntry, entryTail, type HistoryEntry, type HistoryExtras } from './history.js';
import { CONTRADICTIONS_KEPT, CUSTOMER_WINDOW, payoutKeys } from './keys.js';
import { type PageQuery, readPage } from './page.js';
import { MASKED, type PayoutRecord, recordFrom } from './record.js';
import { NOTE, TRANSITION } from './scripts.js';
import { canonicalJson, isDigestOf, open, type PayloadKeys, requestDigest, seal } from './sealing.js';
import {
  type Actor,
  isTerminal,
  PAYOUT_STATES,
  type PayoutEvent,
  type PayoutState,
  TRANSITIONS,
} from './states.js';

export type { HistoryEntry } from './history.js';
export type { Customer, PayoutRecord } from './record.js';

/**
 * The payout record: the one module that writes payout state. Every write is one Lua script, so a
 * state, its history entry, its index and its notification are recorded together or not at all.
 */

export type CreateResult =
  | { outcome: 'created'; record: PayoutRecord; history: HistoryEntry[] }
  /** Over its currency's hard cap (a limit's max_amount): nothing was written. */
  | { outcome: 'over_cap'; maxAmount: number }
  | { outcome: 'existing'; record: PayoutRecord }
  | { outcome: 'conflict'; record: PayoutRecord }
  /** Only its tombstone is left in Redis (archived to the ledger); `same` tells a replay from another body. */
  | { outcome: 'archived'; same: boolean };

export interface TransitionOptions {
  actor: Actor;
  /** Required for worker decisions: the token of the claim being acted on. */
  token?: string;
  reason?: string | undefined;
  reasonCode?: string | undefined;
  gatewayStatus?: number | undefined;
  orderId?: string | undefined;
  nextAttemptAt?: number | undefined;
  who?: string | undefined;
  note?: string | undefined;
  /** For the transition log line: how long the step that led here took. */
  durationMs?: number | undefined;
  /** Marks the record for good: this attempt may have reached the gateway (see PayoutRecord). */
  mayHaveReached?: boolean | undefined;
  /** Overrides a rule's `refusedWithOrder`: an operator's explicit decision, with a note. */
  force?: boolean | undefined;
  /** For an event that needs approvals (approve): who approves. */
  approver?: string | undefined;
}

/** Why a transition was refused, beyond the table or the token. */
export interface RefusalDetail {
  /** An earlier attempt may have reached the gateway (see TRANSITIONS). */
  mayHaveReached?: true;
  /** The payout holds this gateway order, and the report named another. */
  otherOrder?: string;
  /** The payout holds this gateway order, and the rule refuses it (refusedWithOrder) unforced. */
  orderRecorded?: string;
  /** This approver has already approved the payout. */
  sameApprover?: true;
}

export type TransitionResult =
  | {
      ok: true;
      from: PayoutState;
      to: PayoutState;
      seq: number;
      attempts: number;
      /** An approval was recorded, short of the approvals needed: the state stayed. */
      approvalRecorded?: true;
    }
  | ({ ok: false; current: PayoutState | undefined } & RefusalDetail);

/**
 * Why a claim left a payout waiting although it was due: its payment_system is paused, or that
 * system's circuit breaker is open (cooling down) or half open (another payout is probing) until `until`.
 */
export type Hold =
  | { kind: 'paused'; paymentSystem: string }
  | { kind: 'breaker_open' | 'breaker_half_open'; paymentSystem: string; until: number };

export type ClaimResult =
  | {
      ok: true;
      record: PayoutRecord;
      token: string;
      attempts: number;
      /** This attempt is the one its payment_system's half-open breaker lets through. */
      probe?: true;
    }
  | {
      ok: false;
      current: PayoutState | undefined;
      /** The holder's token, when the payout is already `sending`. */
      heldBy?: string;
      /** When a `retry_scheduled` payout is due. */
      nextAttemptAt?: number;
      /** For a `sending` payout: when it last changed (claimed, or a note written since). */
      since?: number;
      /** Due, and held by the controls: it stays as it is, and no attempt is counted. */
      hold?: Hold;
    };

export interface PayoutStoreOptions {
  redis: Redis;
  queuePrefix: string;
  payloadKeys: PayloadKeys;
  logger: Logger;
  /** REDIS_DURABILITY, waited for on this store's own connection. @defaultValue acknowledged */
  durability?: DurabilitySetting;
  /** Whether status changes go to the notification outbox (NOTIFY_URL set). */
  notify?: boolean;
  /** Whether changes go to the ledger's outbox (LEDGER_DATABASE_URL set). */
  ledger?: boolean;
  /** Called after every recorded change (`from` null on creation), e.g. for metrics. */
  onTransition?: (from: PayoutState | null, to: PayoutState, method: string) => void;
  /** How amounts are shown in its log lines (`config.currencies`). @defaultValue the rules of unset settings */
  currencies?: Currencies;
  /** How many contradicted payouts the contradictions index keeps. @defaultValue CONTRADICTIONS_KEPT */
  contradictionsKept?: number;
  now?: () => number;
}

export type PayoutStore = ReturnType<typeof createPayoutStore>;

/** The per-customer limits count what one customer was paid over this rolling window. */
export const CUSTOMER_WINDOW_MS = 24 * 3_600_000;

const FIELDS_CLEARED_ON_MOVE = ['reason', 'reason_code', 'next_attempt_at'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createPayoutStore(options: PayoutStoreOptions) {
  const { redis, payloadKeys, logger } = options;
  const keys = payoutKeys(options.queuePrefix);
  const now = options.now ?? Date.now;
  /** The outboxes every change is pushed to (scripts.ts). */
  const outboxes = `${options.notify ? 'n' : ''}${options.ledger ? 'l' : ''}`;
  // On the store's own connection: a WAIT covers only what its connection wrote.
  const durability = createDurabilityGuard({
    redis,
    probeKey: keys.durabilityProbe,
    setting: options.durability ?? { level: 'acknowledged', timeoutMs: 1_000 },
  });

  async function create(input: {
    method: MethodId;
    request: GatewayRequest;
    masked: Record<string, string>;
    /** Normalized ISO time: a scheduled payout (see PayoutRecord.notBefore). */
    notBefore?: string | undefined;
  }): Promise<CreateResult> {
    const { method, request, masked, notBefore } = input;
    const id = request.external_id;
    const at = now();
    // The normalized request, keyed: "the same request again" is told from "another body" by it.
    // not_before only when given, so requests made before it existed keep their digest.
    const canonical = canonicalJson({ method, request, ...(notBefore ? { not_before: notBefore } : {}) });
    const digest = requestDigest(payloadKeys, canonical);
    // Short values only: Redis keeps a hash whose values are all under 64 bytes in its compact
    // listpack form, several times smaller than a hashtable. So the customer and the masks are
    // fields of their own, and the sealed payload lives in a key of its own.
    // The external_id is the key's own name, so it is not repeated as a field.
    const fields: Record<string, string> = {
      method,
      payment_system: request.payment_system,
      amount: String(request.amount),
      currency: request.currency,
      customer_id: request.customer.customer_id,
      country: request.customer.country,
      first_name: request.customer.first_name,
      last_name: request.customer.last_name,
    };
    for (const [name, value] of Object.entries(masked)) fields[`${MASKED}${name}`] = value;
    if (notBefore) fields.not_before = String(Date.parse(notBefore));
    const sealed =
      request.payment_data !== undefined
        ? seal(payloadKeys, id, JSON.stringify(request.payment_data))
        : undefined;
    const res = (await runScript(
      redis,
      CREATE,
      11,
      keys.record(id),
      keys.history(id),
      keys.stateIndex('queued'),
      keys.outbox,
      keys.payload(id),
      keys.ledgerOutbox,
      keys.tombstone(id),
      keys.stateIndex('awaiting_approval'),
      keys.approvalRules,
      keys.limits,
      keys.customerWindow(request.currency, request.customer.customer_id),
      digest,
      String(at),
      entryTail('created', 'producer'),
      id,
      outboxes,
      sealed ?? '',
      method,
      String(request.amount),
      request.currency,
      String(at - CUSTOMER_WINDOW_MS),
      String(CUSTOMER_WINDOW_MS + 60_000),
      ...Object.entries(fields).flat(),
    )) as [number, string?, string?];
    if (res[0] === -2) return { outcome: 'over_cap', maxAmount: Number(res[1]) };
    if (res[0] === 1) {
      const status = res[1] as PayoutState;
      const reason = res[2] || undefined;
      logger.info(
        {
          external_id: id,
          from: null,
          to: status,
          attempt: 0,
          amount: showAmount(request.amount, request.currency, options.currencies),
          ...(reason ? { reason } : {}),
        },
        `payout -> ${status}`,
      );
      options.onTransition?.(null, status, method);
      // Built from what was written, not read back: once the script ran, the payout is accepted,
      // and answering that must not depend on one more round trip to Redis.
      const createdAt = new Date(at).toISOString();
      const record: PayoutRecord = {
        externalId: id,
        method,
        paymentSystem: request.payment_system,
        amount: request.amount,
        currency: request.currency,
        customer: request.customer,
        status,
        orderId: undefined,
        gatewayStatus: undefined,
        attempts: 0,
        createdAt,
        updatedAt: createdAt,
        maskedPaymentData: masked,
        reason,
        reasonCode: undefined,
        nextAttemptAt: undefined,
        token: undefined,
        mayHaveReached: false,
        approvalsNeeded: undefined,
        approvedBy: [],
        seq: 1,
        sealedPayload: sealed,
        digest,
        notBefore: notBefore ? Date.parse(notBefore) : undefined,
      };
      const history: HistoryEntry[] = [
        {
          at: createdAt,
          to: status,
          event: 'created',
          actor: 'producer',
          seq: 1,
          ...(reason ? { reason } : {}),
        },
      ];
      return { outcome: 'created', record, history };
    }
    const same = isDigestOf(payloadKeys, canonical, res[1] ?? '');
    if (res[2] === 'archived') return { outcome: 'archived', same };
    const record = await get(id);
    if (!record) throw new Error(`payout ${id} vanished right after it was found`);
    return { outcome: same ? 'existing' : 'conflict', record };
  }

  async function get(externalId: string): Promise<PayoutRecord | undefined> {
    const [hashRes, payloadRes] =
      (await redis.pipeline().hgetall(keys.record(externalId)).get(keys.payload(externalId)).exec()) ?? [];
    if (hashRes?.[0]) throw hashRes[0];
    if (payloadRes?.[0]) throw payloadRes[0];
    const h = (hashRes?.[1] ?? {}) as Record<string, string>;
    if (!h.status) return undefined;
    return recordFrom(externalId, h, (payloadRes?.[1] as string | null) ?? undefined);
  }

  async function history(externalId: string): Promise<HistoryEntry[]> {
    const raw = await redis.get(keys.history(externalId));
    return raw ? raw.split('\n').map(decodeEntry) : [];
  }

  /** The gateway request exactly as first accepted: the same body on every attempt. */
  function gatewayRequest(record: PayoutRecord): GatewayRequest {
    const request: GatewayRequest = {
      payment_system: record.paymentSystem,
      external_id: record.externalId,
      amount: record.amount,
      currency: record.currency,
      customer: record.customer,
    };
    if (record.sealedPayload !== undefined) {
      request.payment_data = JSON.parse(open(payloadKeys, record.externalId, record.sealedPayload)) as Record<
        string,
        string
      >;
    }
    return request;
  }

  type Moved =
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
  async function move(
    externalId: string,
    event: PayoutEvent,
    opts: TransitionOptions,
    claim?: { dueBy: number; token: string },
  ): Promise<Moved> {
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
    if (
      res[0] === 0 &&
      (res[4] === 'paused' || res[4] === 'breaker_open' || res[4] === 'breaker_half_open')
    ) {
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

  /**
   * Moves a payout by the transition table, atomically. Refused (ok: false) when the current state is
   * not one the event starts from, or when the event needs the holder's token and it does not match.
   */
  async function transition(
    externalId: string,
    event: Exclude<PayoutEvent, 'claim'>,
    opts: TransitionOptions,
  ): Promise<TransitionResult> {
    // Taking a payout to send it has one way in, with its due-time check and its token: claim().
    if ((event as PayoutEvent) === 'claim')
      throw new Error('a payout is claimed with claim(), not transition()');
    const moved = await move(externalId, event, opts);
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
   * is, atomically. Name only a token of your own, and never one another call may be holding.
   */
  async function claim(
    externalId: string,
    dueBy: number,
    token: string = randomUUID(),
  ): Promise<ClaimResult> {
    if (!UUID.test(token)) throw new Error('a claim token must be a UUID');
    const moved = await move(externalId, 'claim', { actor: 'worker' }, { dueBy, token });
    if (!moved.ok) return moved;
    const flat = moved.fields ?? [];
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
    const record = recordFrom(externalId, h, moved.payload ?? undefined);
    if (moved.retaken) {
      logger.warn(
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

  /**
   * Records a history entry that does not move the state: a contradicting gateway report, which is
   * notified like a change, or a late answer, which is not (the casino learns nothing new from it).
   */
  async function note(
    externalId: string,
    entry: { event: HistoryEntry['event']; actor: Actor } & HistoryExtras,
  ): Promise<number | undefined> {
    const { event, actor, ...extras } = entry;
    const at = now();
    const seq = (await runScript(
      redis,
      NOTE,
      5,
      keys.record(externalId),
      keys.history(externalId),
      keys.outbox,
      keys.ledgerOutbox,
      keys.contradictions,
      entryTail(event, actor, extras),
      String(at),
      externalId,
      // A late answer tells the casino nothing new: it goes to the ledger, not to notifications.
      extras.contradiction ? outboxes : outboxes.replace('n', ''),
      extras.contradiction ? '1' : '0',
      String(options.contradictionsKept ?? CONTRADICTIONS_KEPT),
    )) as number;
    return seq === -1 ? undefined : seq;
  }

  /** external_ids in a state, oldest move first, with the time of that move. */
  async function list(
    state: PayoutState,
    opts: { limit?: number; before?: number; offset?: number } = {},
  ): Promise<{ externalId: string; since: number }[]> {
    const raw = await redis.zrangebyscore(
      keys.stateIndex(state),
      '-inf',
      opts.before ?? '+inf',
      'WITHSCORES',
      'LIMIT',
      opts.offset ?? 0,
      opts.limit ?? 100,
    );
    const out: { externalId: string; since: number }[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ externalId: raw[i]!, since: Number(raw[i + 1]) });
    return out;
  }

  async function counts(): Promise<Record<PayoutState, number>> {
    const pipeline = redis.pipeline();
    for (const s of PAYOUT_STATES) pipeline.zcard(keys.stateIndex(s));
    const res = await pipeline.exec();
    // A failed read is an error, never a zero: a zero would tell operators the queue is empty.
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('counting payouts by state failed');
    return Object.fromEntries(PAYOUT_STATES.map((s, i) => [s, Number(res[i]?.[1] ?? 0)])) as Record<
      PayoutState,
      number
    >;
  }

  /** A page of payouts, newest change first, across states or in one (see page.ts). */
  const page = (query: PageQuery) => readPage(redis, keys, query);

  /** The payouts a gateway report contradicted, the latest raised first (contradictions.ts). */
  const contradictions = (limit: number) => readContradictions(redis, keys, limit);
  /** Lists an archived payout's contradiction, noted in the ledger, with the live ones. */
  const listArchivedContradiction = (externalId: string, at: number) =>
    listContradicted(redis, keys, externalId, at, options.contradictionsKept ?? CONTRADICTIONS_KEPT);

  return {
    keys,
    durability,
    create,
    get,
    history,
    gatewayRequest,
    transition,
    claim,
    note,
    list,
    page,
    contradictions,
    listArchivedContradiction,
    counts,
  };
}
